"""Steps a user takes in the bot, shared by the end-to-end tests."""

from __future__ import annotations

import asyncio
import io
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import zxingcpp
from PIL import Image

from bot.domain.orders import Order
from sandbox.telegram.client import ChatMessage
from tests.e2e.conftest import Stack


@dataclass(frozen=True)
class Invoice:
    message: ChatMessage
    remote_id: str
    payreq: str


def qr_text(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert results, "no QR code found in the photo"
    return str(results[0].text)


async def open_confirmation(
    stack: Stack, user: int, country: str = "United States", service: str = "Telegram"
) -> ChatMessage:
    picker = await stack.ask(user, "/buy", "Pick a country for your number")
    services = await stack.press(user, picker, country, "Pick a service in")
    return await stack.press(user, services, service, "Please confirm")


async def buy(
    stack: Stack, user: int, country: str = "United States", service: str = "Telegram"
) -> Invoice:
    confirmation = await open_confirmation(stack, user, country, service)
    await stack.telegram.press(user, confirmation, "Buy")
    photo = await stack.telegram.wait_for_message(
        user,
        lambda m: (
            m.photo_file_id is not None
            and "Invoice" in m.body
            and m.message_id > confirmation.message_id
        ),
    )
    orders = await stack.sms4sats.orders(kind="receive")
    mine = [o for o in orders if o["payreq"] and o["payreq"].lower() in photo.body.lower()]
    assert len(mine) == 1
    return Invoice(photo, mine[0]["orderId"], mine[0]["payreq"])


async def pay_and_get_number(stack: Stack, user: int, invoice: Invoice) -> ChatMessage:
    await stack.sms4sats.pay(invoice.remote_id)
    await stack.wait_text(user, "Payment received")
    await stack.sms4sats.assign_number(invoice.remote_id, "14155550123")
    return await stack.wait_text(user, "+1 415-555-0123")


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 5.0) -> None:
    """Wait until `check()` holds: for effects that follow the message a test waited for."""
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.05)


async def no_invoice_photos(stack: Stack, user: int) -> bool:
    return all(m.photo_file_id is None for m in await stack.telegram.bot_messages(user))


def free_port() -> int:
    """A loopback port free now, for a server whose URL must be known before it starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def rent(stack: Stack, user: int, country: str = "Indonesia") -> tuple[ChatMessage, Invoice]:
    """From /rent to the invoice; the confirmation shown before it, and the invoice."""
    picker = await stack.ask(user, "/rent", "Rent a number")
    confirmation = await stack.press(user, picker, country, "Please confirm your rental")
    await stack.telegram.press(user, confirmation, "Rent for")
    photo = await stack.telegram.wait_for_message(
        user,
        lambda m: m.photo_file_id is not None and m.message_id > confirmation.message_id,
    )
    orders = await stack.sms4sats.orders(kind="receive")
    mine = [o for o in orders if o["payreq"] and o["payreq"].lower() in photo.body.lower()]
    assert len(mine) == 1
    return confirmation, Invoice(photo, mine[0]["orderId"], mine[0]["payreq"])


async def rent_a_number(stack: Stack, user: int, number: str = "6281234567") -> Order:
    """A rental in Indonesia, paid, with its number: running until the end of its weeks."""
    await stack.reconfigure(rentals=True)
    _, invoice = await rent(stack, user)
    await stack.sms4sats.pay(invoice.remote_id)
    await stack.sms4sats.assign_number(invoice.remote_id, number)
    await stack.wait_text(user, "📱 Your rented number")
    (order,) = await stack.services.orders.for_user(user)
    return order
