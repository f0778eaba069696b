"""HTTP routes of the Bot API side: /bot<token>/<method> and /file/bot<token>/<file_path>."""

from typing import Any

from aiohttp import web

from sandbox.telegram.errors import NOT_FOUND, UNAUTHORIZED, ApiError
from sandbox.telegram.method_helpers import chat_id_of_call
from sandbox.telegram.methods import METHODS, canonical_name
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
        record: dict[str, Any] = {"method": method, "params": {}, "ok": False, "error_code": None}
        state.calls.append(record)
        try:
            params = await Params.from_request(request)
            record["params"] = params.log_view()
            result = await self._dispatch(request.match_info["token"], method, params)
        except ApiError as error:
            record["error_code"] = error.error_code
            return _error_response(error)
        record["ok"] = True
        return web.json_response({"ok": True, "result": result})

    async def _dispatch(self, token: str, method: str, params: Params) -> Any:
        if token != self.state.config.token:
            raise UNAUTHORIZED
        handler = METHODS.get(method)
        if handler is None:
            raise NOT_FOUND
        fault = self.state.take_fault(method, chat_id_of_call(params))
        if fault is not None:
            raise fault
        return await handler(self.state, params)

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
