"""Uploaded photos: real dimensions read with Pillow and Telegram-like smaller sizes.

The original upload is kept byte for byte as the largest size, so a QR code the bot sends can
be decoded from exactly what it uploaded.
"""

import hashlib
import io
import secrets

from PIL import Image, UnidentifiedImageError

from sandbox.telegram.errors import bad_request
from sandbox.telegram.models import StoredFile

# Telegram offers small previews next to the original; bots often take photo[-1] for the largest.
_PREVIEW_SIDES = (90, 320)
_MAX_PHOTO_BYTES = 10 * 1024 * 1024
_EXTENSIONS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp", "BMP": "bmp"}


def _stored(data: bytes, image_format: str, width: int, height: int) -> StoredFile:
    extension = _EXTENSIONS.get(image_format, image_format.lower() or "bin")
    token = secrets.token_urlsafe(24)
    return StoredFile(
        file_id=f"AgACAgI{token}",
        file_unique_id="AQAD" + hashlib.sha256(data).hexdigest()[:16],
        file_path=f"photos/file_{secrets.token_hex(6)}.{extension}",
        content_type=Image.MIME.get(image_format, "application/octet-stream"),
        data=data,
        width=width,
        height=height,
    )


def store_photo(data: bytes) -> list[StoredFile]:
    """The sizes of an uploaded photo, smallest first and the untouched original last."""
    if not data:
        raise bad_request("file must be non-empty")
    if len(data) > _MAX_PHOTO_BYTES:
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image_format = image.format or "PNG"
            width, height = image.size
            previews: list[StoredFile] = []
            for side in _PREVIEW_SIDES:
                if max(width, height) <= side:
                    break
                preview = image.copy()
                preview.thumbnail((side, side))
                if preview.mode not in ("RGB", "L"):
                    preview = preview.convert("RGB")
                buffer = io.BytesIO()
                preview.save(buffer, format="JPEG", quality=85)
                previews.append(_stored(buffer.getvalue(), "JPEG", *preview.size))
    except (UnidentifiedImageError, OSError, ValueError):
        raise bad_request("IMAGE_PROCESS_FAILED") from None
    return [*previews, _stored(data, image_format, width, height)]


def store_document(data: bytes, content_type: str) -> StoredFile:
    """An uploaded document, kept as it came (no size limit the bot could reach is enforced)."""
    return StoredFile(
        file_id=f"BQACAgI{secrets.token_urlsafe(24)}",
        file_unique_id="AgAD" + hashlib.sha256(data).hexdigest()[:16],
        file_path=f"documents/file_{secrets.token_hex(6)}",
        content_type=content_type or "application/octet-stream",
        data=data,
        width=0,
        height=0,
    )
