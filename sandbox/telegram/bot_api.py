"""HTTP routes of the Bot API side: /bot<token>/<method> and /file/bot<token>/<file_path>."""

from typing import Any

from aiohttp import web

from sandbox.telegram.errors import NOT_FOUND, UNAUTHORIZED, ApiError
from sandbox.telegram.method_helpers import chat_id_of_call
from sandbox.telegram.methods import METHODS, Method, canonical_name
from sandbox.telegram.models import Fault
from sandbox.telegram.params import Params
from sandbox.telegram.state import SandboxState


def _error_response(error: ApiError) -> web.Response:
    return web.json_response(error.to_json(), status=error.error_code)


class BotApi:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def add_routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/bot{token}/{method}", self.call)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self.download)

    async def call(self, request: web.Request) -> web.Response:
        state = self.state
        method = canonical_name(request.match_info["method"]) or request.match_info["method"]
        record: dict[str, Any] = {
            "method": method,
            "params": {},
            "ok": False,
            "error_code": None,
            "late": False,
        }
        state.calls.append(record)
        fault: Fault | None = None
        try:
            params = await Params.from_request(request)
            record["params"] = params.log_view()
            handler = self._handler(request.match_info["token"], method)
            fault = state.take_fault(method, chat_id_of_call(params))
            error = state.fault_error(fault) if fault is not None else None
            if error is not None:
                raise error
            result = await handler(state, params)
        except ApiError as error:
            record["error_code"] = error.error_code
            response = _error_response(error)
        else:
            record["ok"] = True
            response = web.json_response({"ok": True, "result": result})
        if fault is not None and fault.delay is not None:
            # The call is done (or failed) already; only its answer is late. A client that gives
            # up meanwhile disconnects, which cancels this handler: aiohttp logs that at debug.
            record["late"] = True
            record["delay"] = fault.delay
            await state.sleep(fault.delay)
        return response

    def _handler(self, token: str, method: str) -> Method:
        if token != self.state.config.token:
            raise UNAUTHORIZED
        handler = METHODS.get(method)
        if handler is None:
            raise NOT_FOUND
        return handler

    async def download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.state.config.token:
            return _error_response(UNAUTHORIZED)
        path = request.match_info["file_path"]
        for stored in self.state.files.values():
            if stored.file_path == path:
                return web.Response(body=stored.data, content_type=stored.content_type)
        return _error_response(NOT_FOUND)


async def not_found(request: web.Request) -> web.Response:
    return _error_response(NOT_FOUND)
