"""The structure holds: every module imports on its own, with no other project module loaded.

The layer contracts themselves are checked by import-linter (`lint-imports`, run by `make test`,
configured in pyproject.toml); this file catches what import order hides from it: a cycle that
only breaks when a module is the first one imported. (It starts a process per module, hence
the e2e layer; that every order kind is complete is in tests/unit/test_architecture.py.)
"""

from __future__ import annotations

import ast
import asyncio
import json
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


def third_party_imports() -> list[str]:
    """Every module outside the project and the standard library that the project imports."""
    found: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.Import):
                    found.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found.add(node.module)
    return sorted(
        name
        for name in found
        if name.split(".")[0] not in (*PACKAGES, *sys.stdlib_module_names, "__future__")
    )


# Runs in a fresh interpreter: loads the libraries, then forks once per project module, so each
# child starts with no project module loaded and imports just that one. Loading Telegram's,
# HTTP's and the database libraries once instead of once per module is what makes this take
# seconds instead of a minute; what it checks (a cycle between project modules that breaks when
# one of them is imported first) does not depend on when the libraries were loaded.
_FORKING_IMPORTER = """
import importlib, json, os, sys, traceback
libraries, modules, packages = json.loads(sys.argv[1])
for name in libraries:
    importlib.import_module(name)
loaded = [m for m in sys.modules if m.split(".")[0] in packages]
assert not loaded, f"a library imported the project: {loaded}"
failed = {}
for module in modules:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            importlib.import_module(module)
            code = 0
        except BaseException:
            os.write(write_end, traceback.format_exc()[-400:].encode())
            code = 1
        os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as error:
        text = error.read().decode()
    _, status = os.waitpid(pid, 0)
    if status != 0:
        failed[module] = text or f"exit status {status}"
print(json.dumps(failed))
"""


async def test_every_module_imports_alone_in_a_fresh_interpreter() -> None:
    modules = product_modules()
    assert {"bot.core.engine.tracker", "bot.core.engine.poller", "handlers.ui.cards"} <= set(
        modules
    )
    libraries = third_party_imports()
    assert {"telegram", "httpx", "psycopg"} <= {name.split(".")[0] for name in libraries}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _FORKING_IMPORTER, json.dumps([libraries, modules, PACKAGES]),
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()[-2000:]
    failed = json.loads(stdout)
    assert not failed, failed


async def test_a_bot_on_sqlite_never_loads_the_postgresql_driver() -> None:
    """psycopg (about 0.1 s to import) is loaded only to open or check a PostgreSQL database."""
    probe = (
        "import sys, bot.wiring.main, bot.wiring.app, bot.wiring.check; print(sorted(sys.modules))"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", probe, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    stdout, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()[-2000:]
    loaded = json.loads(stdout.decode().replace("'", '"'))
    assert "storage.sqlite" in loaded
    assert not [name for name in loaded if name.split(".")[0] in ("psycopg", "psycopg_pool")]
