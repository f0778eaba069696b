"""Lightning invoices: what a BOLT11 string says, and what its QR code must encode."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import bolt11

DEFAULT_EXPIRY_SECONDS = 3600  # BOLT11's default when the invoice has no `x` tag


@dataclass(frozen=True, slots=True)
class InvoiceInfo:
    amount_sats: int | None
    created_at: datetime
    expires_at: datetime
    payment_hash: str
    description: str | None


def decode_invoice(invoice: str) -> InvoiceInfo | None:
    """The invoice's amount and expiry, or None when it is not a readable BOLT11 string."""
    try:
        decoded = bolt11.decode(invoice.strip())
    except Exception:
        # bolt11 raises a zoo of exception types (bech32, bitstring, its own) for bad input.
        return None
    created = datetime.fromtimestamp(decoded.date, UTC)
    expiry = decoded.expiry if decoded.expiry is not None else DEFAULT_EXPIRY_SECONDS
    amount = int(decoded.amount_msat) // 1000 if decoded.amount_msat else None
    return InvoiceInfo(
        amount_sats=amount,
        created_at=created,
        expires_at=created + timedelta(seconds=int(expiry)),
        payment_hash=str(decoded.payment_hash),
        description=decoded.description,
    )


def qr_payload(invoice: str) -> str:
    # BOLT11 says QR codes SHOULD be upper case: it lets the QR use alphanumeric mode, which
    # makes the code two or three versions smaller and easier to scan.
    return "LIGHTNING:" + invoice.strip().upper()
