"""The engine: what runs in the background, apart from any one person's request.

It follows the open orders with sms4sats (`poller`, `tracker`), tells their users within
Telegram's budgets (`outbox`, `send_budget`, through the `teller` port), and shares that work
with the other instances on one database (`cluster`). The use cases in `bot.core` may call its
public entry points; it never imports them (an import-linter contract says so).
"""
