"""The Telegram layer: conversations, commands and button handlers, and (in `handlers.ui`) what
they show. `handlers.routes.register` adds them to the Application.

May import the core, storage and the domain; only the wiring (`bot.wiring`) imports this.
"""
