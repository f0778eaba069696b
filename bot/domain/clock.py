"""The one clock: seconds since the epoch. Injected everywhere so tests move time, not sleep."""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], float]

system_clock: Clock = time.time
