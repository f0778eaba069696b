"""An offline stand-in for the sms4sats HTTP API (api2.sms4sats.com), with a control API."""

from .clock import Clock
from .config import SandboxConfig
from .control import SandboxControl, SandboxControlError
from .runtime import Sms4SatsSandbox
from .server import build_app, run_sms4sats_sandbox
from .state import SandboxState

__all__ = [
    "Clock",
    "SandboxConfig",
    "SandboxControl",
    "SandboxControlError",
    "SandboxState",
    "Sms4SatsSandbox",
    "build_app",
    "run_sms4sats_sandbox",
]
