"""sms4sats-bot. `bot.domain` holds the rules, `bot.core` the use cases, `bot.sms4sats` the API
client, `bot.config` the settings, and `bot.wiring` builds the running bot from all layers.
"""

import os

# Opt in to PTB's coming timedelta type for durations (retry_after and friends) now, instead of
# a deprecation warning on every flood wait.
os.environ.setdefault("PTB_TIMEDELTA", "1")
