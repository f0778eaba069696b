"""The sandbox clock: wall time plus an offset that tests move forward instead of sleeping."""

from __future__ import annotations

import time


class Clock:
    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        """Epoch seconds as the sandbox sees them."""
        return time.time() + self.offset

    def advance(self, seconds: float) -> float:
        """Moves sandbox time forward (never back, so due transitions stay due) and returns it."""
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        self.offset += seconds
        return self.now()

    def reset(self) -> None:
        self.offset = 0.0
