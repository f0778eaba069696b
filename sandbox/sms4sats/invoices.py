"""Real, decodable BOLT11 invoices whose payment hash is the order id."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from bolt11 import Bolt11, MilliSatoshi, TagChar, Tags, encode

MIN_FINAL_CLTV_EXPIRY = 80


@dataclass(frozen=True, slots=True)
class PaymentSecret:
    """A preimage and its hash; sms4sats order ids look like Lightning payment hashes."""

    preimage: str
    payment_hash: str

    @classmethod
    def generate(cls) -> PaymentSecret:
        preimage = os.urandom(32)
        return cls(preimage.hex(), hashlib.sha256(preimage).hexdigest())


@dataclass(frozen=True, slots=True)
class Invoice:
    payreq: str
    secret: PaymentSecret
    amount_sat: int
    created_at: float
    expiry: int

    @property
    def expires_at(self) -> float:
        return self.created_at + self.expiry


class InvoiceIssuer:
    """Signs invoices with a node key of its own, generated once per sandbox."""

    def __init__(self, private_key: str | None = None) -> None:
        self._private_key = private_key or os.urandom(32).hex()

    def issue(self, amount_sat: int, description: str, now: float, expiry: int) -> Invoice:
        secret = PaymentSecret.generate()
        tags = Tags()
        tags.add(TagChar.payment_hash, secret.payment_hash)
        tags.add(TagChar.payment_secret, os.urandom(32).hex())
        tags.add(TagChar.description, description)
        tags.add(TagChar.expire_time, expiry)
        tags.add(TagChar.min_final_cltv_expiry, MIN_FINAL_CLTV_EXPIRY)
        # The invoice date is whole seconds, so expiry is counted from there too.
        created = int(now)
        invoice = Bolt11(
            currency="bc",
            date=created,
            tags=tags,
            amount_msat=MilliSatoshi(amount_sat * 1000),
        )
        payreq: str = encode(invoice, private_key=self._private_key)
        return Invoice(payreq, secret, amount_sat, float(created), expiry)
