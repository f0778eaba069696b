"""The invoice's QR code as a PNG, for the invoice photo."""

from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_L

from bot.domain.invoices import qr_payload

# Telegram recompresses photos; below ~600 px the modules of a long invoice blur together.
MIN_QR_PIXELS = 640
QR_BORDER_MODULES = 4


def invoice_qr_png(invoice: str) -> bytes:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_L, border=QR_BORDER_MODULES, box_size=1)
    qr.add_data(qr_payload(invoice))
    qr.make(fit=True)
    modules = qr.modules_count + 2 * QR_BORDER_MODULES
    qr.box_size = max(4, -(-MIN_QR_PIXELS // modules))
    image = qr.make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
