"""The core: use cases (placing orders, following them, telling users) and the services they
share. May import the domain, storage and the sms4sats client; never Telegram or `handlers`:
it tells users through the `Teller` port that the wiring fills in.
"""
