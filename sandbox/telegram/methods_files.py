"""getFile: where the bot downloads a file it sent or received."""

from typing import Any

from sandbox.telegram.errors import bad_request
from sandbox.telegram.params import Params
from sandbox.telegram.state import SandboxState


async def get_file(state: SandboxState, params: Params) -> dict[str, Any]:
    stored = state.files.get(params.get_str("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "file_path": stored.file_path,
    }
