"""`python -m sandbox.sms4sats` starts, prints its URL, answers, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from pathlib import Path

import httpx

PROJECT_ROOT = Path(__file__).resolve().parents[2]


async def test_cli_serves_until_terminated() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandbox.sms4sats",
        "--port",
        "0",
        "--auto",
        "--api-key",
        "demo=5000",
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), timeout=20)).decode()
        match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        assert match, line
        assert match.group(1) != "0"
        async with httpx.AsyncClient(base_url=match.group(0), timeout=5) as http:
            assert (await http.get("/")).json() == {"status": "OK"}
            balance = await http.get("/balance", headers={"X-API-Key": "demo"})
            assert balance.json()["balance"] == 5000
            config = (await http.get("/__sandbox/config")).json()
            assert config["auto"] is True
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), timeout=10) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
