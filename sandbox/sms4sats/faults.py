"""Injected failures: the next N matching contract calls misbehave in a chosen way."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from .errors import InvalidRequest

DEFAULT_SLOW_DELAY = 30.0


class FaultKind(StrEnum):
    HTTP500 = "http500"
    """500 with the documented {"status":"error","reason":"backend error"}; nothing happens."""
    INVALID_JSON = "invalid_json"
    """200 with a JSON content type and the real body cut in half; the call itself took effect."""
    SLOW = "slow"
    """Real seconds of delay, then the normal answer."""
    HTML502 = "html502"
    """502 with an HTML page, as a proxy in front of the API would answer; nothing happens."""


@dataclass
class Fault:
    kind: FaultKind
    remaining: int
    path: str | None = None
    """Only calls to this path; None means every contract path."""
    delay: float = DEFAULT_SLOW_DELAY
    share: float = 1.0
    """The fraction of matching calls it hits, picked at random (1: every one). With less than
    1, a fault lasts many calls, as an upstream where some calls hang: `remaining` counts the
    calls hit, not the calls seen."""

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "kind": str(self.kind)}


class FaultBook:
    def __init__(self, *, seed: int = 19) -> None:
        self._faults: list[Fault] = []
        # Seeded: a run with the same calls hits the same ones.
        self._random = random.Random(seed)

    def add(self, raw: object) -> Fault:
        fault = _parse(raw)
        self._faults.append(fault)
        return fault

    def take(self, path: str, *, is_contract_path: bool) -> Fault | None:
        """Uses up one call of the first fault that matches, in the order they were added."""
        for fault in self._faults:
            matches = fault.path == path if fault.path is not None else is_contract_path
            if matches and (fault.share >= 1 or self._random.random() < fault.share):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def pending(self) -> list[Fault]:
        return list(self._faults)

    def clear(self) -> None:
        self._faults.clear()


def _parse(raw: object) -> Fault:
    if not isinstance(raw, dict):
        raise InvalidRequest("A fault is a JSON object with kind, count, path, delay and share")
    try:
        kind = FaultKind(str(raw.get("kind")))
    except ValueError:
        known = ", ".join(kind.value for kind in FaultKind)
        raise InvalidRequest(f"Unknown fault kind; use one of {known}") from None
    count = raw.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise InvalidRequest("count must be a positive integer")
    path = raw.get("path")
    if path is not None and (
        not isinstance(path, str) or not path.startswith("/") or path.startswith("/__sandbox")
    ):
        raise InvalidRequest("path must be a contract path such as /orderstatus")
    delay = raw.get("delay")
    if delay is None:
        delay = DEFAULT_SLOW_DELAY
    if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
        raise InvalidRequest("delay must be a number of seconds, not negative")
    share = raw.get("share", 1.0)
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
        raise InvalidRequest("share must be a fraction of the calls, above 0 and at most 1")
    return Fault(kind, count, path, float(delay), float(share))
