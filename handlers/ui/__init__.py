"""The Telegram presentation: texts (the catalog of every sentence), cards, keyboards, callback
data, command menus, and the teller that tells users about their orders.

May import the core and the domain; handlers import it; the core never does.
"""
