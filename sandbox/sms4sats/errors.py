"""Failures the sandbox reports to its callers; the server maps each to an HTTP status."""

from __future__ import annotations


class SandboxError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InvalidRequest(SandboxError):
    """A contract validation failure (missing or unknown input, a refused cancel, ...)."""


class UnknownOrder(SandboxError):
    def __init__(self, reason: str = "Order not found") -> None:
        super().__init__(reason)


class TransitionRefused(SandboxError):
    """A control-API step that the order's current state does not allow."""
