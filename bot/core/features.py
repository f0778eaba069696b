"""Which optional parts of the bot the operator turned on (the settings, as handlers need them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Features:
    rentals: bool
    """Numbers rented for weeks (/rent), besides numbers for one code."""
