"""The domain: orders, their kinds and states, countries, phone numbers, invoices.

Pure data and rules. It imports nothing else of the project and nothing of Telegram.
"""
