"""The structure holds: every module imports on its own, in a fresh interpreter.

The layer contracts themselves are checked by import-linter (`lint-imports`, run by `make test`,
configured in pyproject.toml); this file catches what import order hides from it: a cycle that
only breaks when a module is the first one imported. (It starts a process per module, hence
the e2e layer; that every order kind is complete is in tests/unit/test_architecture.py.)
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "storage")


def product_modules() -> list[str]:
    modules = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).with_suffix("")
            parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
            if parts[-1] != "__main__":
                modules.append(".".join(parts))
    return modules


async def test_every_module_imports_alone_in_a_fresh_interpreter() -> None:
    modules = product_modules()
    assert {"bot.core.tracker", "bot.core.poller", "handlers.ui.cards"} <= set(modules)
    slots = asyncio.Semaphore(4)

    async def import_alone(module: str) -> tuple[str, int, str]:
        async with slots:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-c", f"import {module}", cwd=ROOT,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )  # fmt: skip
            _, stderr = await process.communicate()
            return module, process.returncode or 0, stderr.decode()[-400:]

    results = await asyncio.gather(*(import_alone(m) for m in modules))
    failed = {module: error for module, code, error in results if code != 0}
    assert not failed, failed
