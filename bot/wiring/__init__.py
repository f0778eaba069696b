"""The composition root: the one place that knows every layer and builds the running bot.

Nothing imports it but `python -m bot` and the tests.
"""
