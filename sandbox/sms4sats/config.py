"""Run-time settings of the sandbox, changeable while it runs through the control API."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidRequest


@dataclass
class SandboxConfig:
    auto: bool = False
    """Payment, number, code, sms status and funding happen by themselves."""
    pay_delay: float = 4.0
    """Auto mode: seconds (sandbox clock) after creation until the invoice counts as paid."""
    number_delay: float = 3.0
    """Auto mode: seconds after payment until a number is assigned."""
    code_delay: float = 10.0
    """Auto mode: seconds after the number until the code arrives."""
    send_delay: float = 2.0
    """Auto mode: send orders go created -> sent -> delivered, each step after this long."""
    cancel_after: float = 120.0
    """A paid receive order without a code may be canceled this long after payment."""
    hold_timeout: float = 1260.0
    """A paid receive order without a code is canceled and refunded this long after payment."""
    invoice_expiry: int = 900
    """BOLT11 expiry of new invoices; an unpaid invoice past it can no longer be paid."""
    code_as_string: bool = False
    """The docs show `code` as a JSON number; real clients have also seen strings."""
    error_status: int = 400
    """HTTP status of validation errors (the real value is unknown; 200 is also plausible)."""
    not_found_status: int = 404
    """HTTP status for an unknown orderId."""
    send_price: int = 3000
    """Price of one SMS send order in sats."""
    real_phones: bool = True
    """Whether real SIMs (`realphone`) are in stock; off, such an order is refused."""
    api_keys_balance: dict[str, int] = field(default_factory=dict)
    """Prepaid balances (sats) of API keys when the sandbox starts or is reset."""

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def copy(self) -> SandboxConfig:
        return dataclasses.replace(self, api_keys_balance=dict(self.api_keys_balance))

    def restore(self, other: SandboxConfig) -> None:
        """Takes every value of `other` in place, so holders of this object see the change."""
        for spec in dataclasses.fields(self):
            setattr(self, spec.name, getattr(other.copy(), spec.name))

    def update(self, changes: dict[str, Any]) -> None:
        """Applies validated changes; nothing is applied when any of them is invalid."""
        checked = {name: _checked_value(self, name, value) for name, value in changes.items()}
        for name, value in checked.items():
            setattr(self, name, value)


_STATUS_FIELDS = frozenset({"error_status", "not_found_status"})


def _checked_value(config: SandboxConfig, name: str, value: Any) -> Any:
    names = {spec.name for spec in dataclasses.fields(config)}
    if name not in names:
        raise InvalidRequest(f"Unknown config field: {name}")
    current = getattr(config, name)
    if isinstance(current, bool):
        if not isinstance(value, bool):
            raise InvalidRequest(f"{name} must be true or false")
        return value
    if isinstance(current, dict):
        if not isinstance(value, dict) or not all(
            isinstance(key, str) and _is_int(amount) and amount >= 0
            for key, amount in value.items()
        ):
            raise InvalidRequest(f"{name} must map API keys to balances in sats")
        return dict(value)
    if isinstance(current, int):
        if not _is_int(value):
            raise InvalidRequest(f"{name} must be an integer")
        if name in _STATUS_FIELDS and not 200 <= value <= 599:
            raise InvalidRequest(f"{name} must be an HTTP status between 200 and 599")
        if name not in _STATUS_FIELDS and value < 0:
            raise InvalidRequest(f"{name} must not be negative")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise InvalidRequest(f"{name} must be a number of seconds, not negative")
    return float(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
