"""The recipes in deploy/ run the commands tested here: no container engine runs on our machines,
so each command a recipe runs is run as it is written, against the real bot."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

from bot.config import load_settings
from tests.e2e.conftest import ALICE, BOTH_BACKENDS, Stack
from tests.e2e.flows import free_port

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SECRET = "deploy-secret_42"


def dockerfile() -> dict[str, list[str]]:
    """Each instruction of deploy/Dockerfile (continuation lines joined), by keyword."""
    text = re.sub(r"\\\n\s*", " ", (DEPLOY / "Dockerfile").read_text())
    instructions: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, rest = line.strip().partition(" ")
            instructions.setdefault(keyword, []).append(rest.strip())
    return instructions


def exec_form(command: str) -> list[str]:
    """A Dockerfile CMD in exec form (a JSON array), with `python` as this interpreter."""
    argv = json.loads(command)
    assert isinstance(argv, list) and argv[0] == "python"
    return [sys.executable, *argv[1:]]


def unit() -> dict[str, str]:
    lines = (DEPLOY / "sms4sats-bot.service").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if re.match(r"^[A-Za-z]+=", line))


async def run(argv: list[str], env: dict[str, str], cwd: Path = ROOT) -> int:
    process = await asyncio.create_subprocess_exec(
        *argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return await asyncio.wait_for(process.wait(), 60)


async def wait_healthy(healthcheck: list[str], env: dict[str, str]) -> None:
    async with asyncio.timeout(30):
        while await run(healthcheck, env) != 0:
            await asyncio.sleep(0.2)


@BOTH_BACKENDS
async def test_container_command_and_healthcheck(stack: Stack, tmp_path: Path) -> None:
    """CMD starts the bot in webhook mode (the compose settings); HEALTHCHECK follows it."""
    await stack.stop_bot()
    instructions = dockerfile()
    [cmd], [healthcheck] = instructions["CMD"], instructions["HEALTHCHECK"]
    healthcheck_argv = exec_form(healthcheck.split(" CMD ", 1)[1])
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": stack.settings.telegram_token,
        "TELEGRAM_API_URL": stack.settings.telegram_api_url,
        "SMS4SATS_API_URL": stack.settings.sms4sats_api_url,
        "DATABASE_URL": stack.settings.postgres_url or f"sqlite:///{tmp_path / 'bot.db'}",
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_LISTEN": "0.0.0.0",
        "WEBHOOK_PORT": str(port),
        # The image's METRICS_PORT (its own port here): the health check asks it, beside the
        # webhook.
        "METRICS_PORT": str(free_port()),
    }
    assert await run(healthcheck_argv, env) == 1  # nothing listens yet
    process = await asyncio.create_subprocess_exec(
        *exec_form(cmd), env=env, cwd=tmp_path, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        await wait_healthy(healthcheck_argv, env)
        await stack.say(ALICE, "/start")
        await stack.wait_text(ALICE, "Phone numbers for SMS codes", timeout=30)
        # `docker stop` sends SIGTERM: a clean stop, within the 10 s it waits.
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 10) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.stderr is not None
    log = (await process.stderr.read()).decode()
    assert "Traceback" not in log and SECRET not in log
    assert await run(healthcheck_argv, env) == 1
    assert stack.telegram_sandbox.state.webhook is not None  # left for the other instances


def image_env() -> dict[str, str]:
    """The Dockerfile's ENV settings (KEY=value pairs)."""
    pairs = " ".join(dockerfile()["ENV"]).split()
    return dict(pair.split("=", 1) for pair in pairs)


async def test_the_image_is_healthy_in_its_default_mode(stack: Stack, tmp_path: Path) -> None:
    """Started as documented (long polling: no WEBHOOK_URL), the image's HEALTHCHECK passes, so
    a restart policy never loops a working bot."""
    await stack.stop_bot()
    instructions = dockerfile()
    [cmd], [healthcheck] = instructions["CMD"], instructions["HEALTHCHECK"]
    healthcheck_argv = exec_form(healthcheck.split(" CMD ", 1)[1])
    defaults = image_env()
    assert "WEBHOOK_URL" not in defaults
    port = free_port()
    env = {
        **defaults,
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": stack.settings.telegram_token,
        "TELEGRAM_API_URL": stack.settings.telegram_api_url,
        "SMS4SATS_API_URL": stack.settings.sms4sats_api_url,
        # Only what no test machine has: the /data volume, and the image's fixed port.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "METRICS_PORT": str(port),
    }
    assert await run(healthcheck_argv, env) == 1  # nothing listens yet
    process = await asyncio.create_subprocess_exec(
        *exec_form(cmd), env=env, cwd=tmp_path, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        await wait_healthy(healthcheck_argv, env)
        await stack.say(ALICE, "/start")
        await stack.wait_text(ALICE, "Phone numbers for SMS codes", timeout=30)
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 10) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.stderr is not None
    assert "Traceback" not in (await process.stderr.read()).decode()


def test_pip_install_line_installs_a_working_bot(tmp_path: Path) -> None:
    """The Dockerfile's COPY and `pip install` lines give a bot that runs without the checkout.

    The dependencies come from this test run's environment (a .pth file), so only the bot itself
    is built and installed, the way the image does it. The sandbox sits beside the bot in the
    source, as in a checkout, and must stay out of the install.
    """
    instructions = dockerfile()
    [install] = [line for line in instructions["RUN"] if line.startswith("pip install")]
    source = tmp_path / "app"
    source.mkdir()
    for copy in instructions["COPY"]:
        *paths, _ = copy.split()
        for path in paths:
            subprocess.run(["cp", "-r", str(ROOT / path), str(source)], check=True)
    subprocess.run(["cp", "-r", str(ROOT / "sandbox"), str(source)], check=True)
    target = tmp_path / "venv"
    # No pip of its own (installing one takes seconds): this run's pip installs into it
    # (`--python`), with the Dockerfile's own arguments.
    venv.create(target, with_pip=False)
    site_packages = next((target / "lib").glob("python*/site-packages"))
    (site_packages / "outer.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    python = target / "bin" / "python"
    pip, *arguments = install.split()
    assert pip == "pip"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), *arguments], cwd=source,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]

    where = subprocess.run(
        [str(python), "-c", "import bot.wiring.main, bot.data; print(bot.wiring.main.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, check=True, env={"PATH": ""},
    )  # fmt: skip
    assert where.stdout.startswith(str(target))
    no_sandbox = subprocess.run(
        [str(python), "-c", "import sandbox"], cwd=tmp_path, capture_output=True, text=True,
        env={"PATH": ""},
    )  # fmt: skip
    assert no_sandbox.returncode == 1
    assert "No module named 'sandbox'" in no_sandbox.stderr
    assert not list(target.glob("lib/python*/site-packages/sandbox"))
    refused = subprocess.run(
        [str(python), "-m", "bot"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={"PATH": "", "TELEGRAM_BOT_TOKEN": "1:x", "WEBHOOK_URL": "https://bot.example/t"},
    )  # fmt: skip
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "Configuration error: WEBHOOK_SECRET: required with WEBHOOK_URL: 1 to 256 characters "
        "of A-Z, a-z, 0-9, _ and -"
    )


def test_dockerfile_runs_as_non_root_with_the_data_volume() -> None:
    instructions = dockerfile()
    assert instructions["FROM"][0].startswith("python:") and "slim" in instructions["FROM"][0]
    [user] = instructions["USER"]
    assert user not in ("root", "0")
    env = " ".join(instructions["ENV"])
    assert "DATABASE_URL=sqlite:////data/" in env and "WEBHOOK_LISTEN=0.0.0.0" in env
    # The settings the image ships are ones the bot accepts.
    settings = load_settings({"TELEGRAM_BOT_TOKEN": "1:x", **image_env()}, env_file=None)
    assert settings.health_port == settings.metrics_port == 9100
    assert str(settings.metrics_port) in instructions["EXPOSE"][0].split()


def test_systemd_unit_runs_the_bot_and_does_not_restart_on_bad_settings(tmp_path: Path) -> None:
    service = unit()
    interpreter, *args = service["ExecStart"].split()
    assert interpreter.endswith("/bin/python") and args == ["-m", "bot"]
    assert service["WorkingDirectory"] in service["ReadWritePaths"].split()
    assert service["User"] != "root"
    refused = subprocess.run(
        [sys.executable, *args], cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={"PATH": "", "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert str(refused.returncode) == service["RestartPreventExitStatus"]


def test_compose_settings_are_valid_and_the_proxy_routes_the_webhook() -> None:
    compose = (DEPLOY / "compose.yaml").read_text()
    values = dict(re.findall(r"^ {4}(DATABASE_URL|WEBHOOK_\w+): (.+)$", compose, re.MULTILINE))
    filled = {
        name: re.sub(r"\$\{(\w+):\?[^}]*\}", lambda m: {"POSTGRES_PASSWORD": "pw",
                     "BOT_DOMAIN": "bot.example.com"}[m.group(1)], value).strip('"')
        for name, value in values.items()
    }  # fmt: skip
    settings = load_settings(
        {"TELEGRAM_BOT_TOKEN": "1:x", "WEBHOOK_SECRET": "s", **filled}, env_file=None
    )
    assert settings.postgres_url == "postgresql://bot:pw@postgres:5432/sms4sats"
    assert settings.webhook_url == "https://bot.example.com/telegram"
    assert (settings.webhook_listen, settings.webhook_port) == ("0.0.0.0", 8080)
    caddy = (DEPLOY / "Caddyfile").read_text()
    assert "handle /telegram {" in caddy and "bot1:8080 bot2:8080" in caddy
    assert "health_uri /healthz" in caddy
    assert "/metrics" not in caddy.replace("/healthz and /metrics are not routed", "")
