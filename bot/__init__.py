"""sms4sats-bot: the application (configuration, wiring, the sms4sats client, background jobs)."""

import os

# Opt in to PTB's coming timedelta type for durations (retry_after and friends) now, instead of
# a deprecation warning on every flood wait.
os.environ.setdefault("PTB_TIMEDELTA", "1")
