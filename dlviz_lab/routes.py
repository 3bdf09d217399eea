"""REST handlers of dlviz-lab, under `{base_url}dlviz-lab/` (see openapi.yaml)."""

from __future__ import annotations

import asyncio
import re
from importlib import resources
from pathlib import Path

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.iostream import StreamClosedError

from . import arrays as array_store
from . import request_body, translations
from .bridge import KernelDied, KernelTimeout
from .catalog import ValidationFailed
from .runs import TERMINAL, QueueFull, UnknownKernel

VENDOR_DIR = Path(__file__).parent / "static" / "vendor"
# name -> (package or None for our vendor folder, file); nothing else is served
ASSETS = {
    "d3.min.js": (None, "d3.min.js"),
    "jquery.min.js": (None, "jquery.min.js"),
    "require.js": (None, "require.js"),
    "bertviz/head_view.js": ("bertviz", "head_view.js"),
    "bertviz/model_view.js": ("bertviz", "model_view.js"),
    "bertviz/neuron_view.js": ("bertviz", "neuron_view.js"),
}
SSE_KEEPALIVE = 15.0
CATALOG_CHECK = 2.0  # seconds between looks at the schema files' modification times
WRITE_CHUNK = 4 * 1024 * 1024  # bytes of an array answer written to the socket at a time


class ApiError(Exception):
    def __init__(self, status: int, message: str, errors: list | None = None):
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors or []


class BaseHandler(APIHandler):
    """JSON in, JSON out; errors as {"message", "errors"}; authorized like kernel handlers.

    Run data is kernel output: reading it needs `execute` on `kernels`, as running code does
    (`read` gives kernel metadata only). The catalog and the assets need `read`.
    """

    auth_resource = "kernels"

    def compute_etag(self):
        # tornado would hash every GET answer on the event loop (an array can be 50 MB)
        return None

    @property
    def manager(self):
        return self.settings["dlviz_lab"]

    def write_error(self, status_code, **kwargs):
        message = self._reason
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, web.HTTPError) and exc.log_message:
            message = exc.log_message % exc.args if exc.args else exc.log_message
        self.finish(request_body.dumps({"message": message, "errors": []}))

    def fail(self, err: ApiError | ValidationFailed | UnknownKernel):
        if isinstance(err, ValidationFailed):
            status, body = 400, err.as_dict()
        elif isinstance(err, QueueFull):
            status, body = 429, {"message": str(err), "errors": []}
        elif isinstance(err, UnknownKernel):
            status, body = 404, {"message": f"no kernel with id '{err}'",
                                 "errors": [{"field": "kernel_id", "path": ["kernel_id"],
                                             "message": f"no kernel with id '{err}'"}]}
        else:
            status, body = err.status, {"message": err.message, "errors": err.errors}
        self.set_status(status)
        self.finish(request_body.dumps(body))

    async def send_json(self, obj, status: int = 200):
        self.set_status(status)
        # a result can be tens of MB: serialize (strict JSON, no NaN) off the event loop
        data = await asyncio.to_thread(lambda: request_body.dumps(obj).encode("utf-8"))
        self.finish(data)

    def find_run(self, run_id: str):
        run = self.manager.get(run_id)
        if run is None:
            raise ApiError(404, f"no run with id '{run_id}'")
        return run

    def run_url(self, run_id: str) -> str:
        return url_path_join(self.base_url, "dlviz-lab", "api", "runs", run_id)


class CatalogHandler(BaseHandler):
    @web.authenticated
    @authorized("read")
    async def get(self):
        catalog = self.manager.catalog
        # the user's JupyterLab language; one we have no catalog for answers in English
        language = translations.language(self.get_query_argument("lang", None))
        last = catalog.last_answer(language)
        if last is None:  # the first time: the schema files are read, in a thread
            data = await asyncio.to_thread(catalog.answer, language)
        else:
            data, age = last
            if age > CATALOG_CHECK and not catalog.checking:
                # an edited schema file shows on a later request; this one is not held up
                catalog.checking = True
                asyncio.ensure_future(self._check(catalog, language))
        self.set_header("Content-Language", (language or "en").replace("_", "-"))
        self.finish(data)

    async def _check(self, catalog, language):
        try:
            await asyncio.to_thread(catalog.answer, language)
        except Exception:  # noqa: BLE001 (a broken schema file shows on the next first load)
            self.log.warning("dlviz-lab: reading the task schemas failed", exc_info=True)
        finally:
            catalog.checking = False


class RunsHandler(BaseHandler):
    @web.authenticated
    @authorized("execute")
    async def get(self):
        await self.send_json({"runs": [r.as_dict(with_result=False) for r in self.manager.list()]})

    @web.authenticated
    @authorized("execute")
    async def post(self):
        try:
            body = self.request.body
            config = self.manager.config
            # the size first, before anything reads the body
            request_body.check_size(self.request.headers.get("Content-Length"), body,
                                    config.max_request_bytes)
            task, params, kernel_id, preset = await asyncio.to_thread(
                self._validate, body, config.max_json_depth)
            run = await self.manager.submit(task, params, kernel_id, preset)
        except (ApiError, ValidationFailed, UnknownKernel, QueueFull) as err:
            return self.fail(err)
        self.set_header("Location", self.run_url(run.id))
        await self.send_json({"id": run.id, "status": run.status, "kernel_id": run.kernel_id},
                             status=202)

    def _validate(self, body: bytes, max_depth: int):
        task, params, kernel_id, preset = self.manager.catalog.validate_body(
            request_body.parse(body, max_depth))
        presets = self.settings.get("dlviz_lab_presets")
        if presets is not None:
            presets.enforce(task, params)  # a course's enforced presets: 400 outside them
        return task, params, kernel_id, preset


class PresetsHandler(BaseHandler):
    """The presets the server trusts (configuration, admin overrides) and their problems."""

    @web.authenticated
    @authorized("read")
    async def get(self):
        presets = self.settings.get("dlviz_lab_presets")
        listing = await asyncio.to_thread(presets.listing) if presets else \
            {"presets": [], "problems": []}
        await self.send_json(listing)


class RunHandler(BaseHandler):
    @web.authenticated
    @authorized("execute")
    async def get(self, run_id):
        try:
            run = self.find_run(run_id)
        except ApiError as err:
            return self.fail(err)
        await self.send_json(run.as_dict())

    @web.authenticated
    @authorized("execute")
    async def delete(self, run_id):
        try:
            run = self.find_run(run_id)
            if run.done:
                raise ApiError(409, f"run '{run_id}' already {run.status}")
        except ApiError as err:
            return self.fail(err)
        await self.manager.cancel(run)
        await self.send_json(run.as_dict(with_result=False), status=202)


class RunArrayHandler(BaseHandler):
    """One array of a finished run's result, whole or one entry along axis 0 (`?index=k`)."""

    @web.authenticated
    @authorized("execute")
    async def get(self, run_id, path):
        try:
            run = self.find_run(run_id)
            if not run.done:
                raise ApiError(409, f"run '{run_id}' is {run.status}: its arrays can be fetched "
                                    "once it has succeeded")
            if run.status != "succeeded" or run.result is None:
                raise ApiError(404, f"run '{run_id}' {run.status} and has no result")
            index = array_store.parse_index(self.get_query_argument("index", None))
            dtype = array_store.parse_dtype(self.get_query_argument("dtype", None))
            # slicing and base64 of up to tens of MB: in a thread, a few MB per step, so the
            # event loop stays free
            data = await asyncio.to_thread(self._slice, run, path, index, dtype)
        except array_store.ArrayRequestError as err:
            return self.fail(ApiError(err.status, f"run '{run_id}': {err.message}"))
        except ApiError as err:
            return self.fail(err)
        # a succeeded run's result never changes
        self.set_header("Cache-Control", "private, max-age=3600")
        self.set_header("Content-Type", "application/json")
        self.set_header("Content-Length", str(len(data)))
        # a few MB per write: tornado would copy tens of MB (headers + body) on the event loop
        view = memoryview(data)
        try:
            for start in range(0, len(view), WRITE_CHUNK):
                self.write(bytes(view[start:start + WRITE_CHUNK]))
                await self.flush()
        except StreamClosedError:
            return  # the client went away
        self.finish()

    @staticmethod
    def _slice(run, path, index, dtype) -> bytes:
        array = array_store.find(run.result, run.arrays, path)
        return array_store.encode_slice_json(array, path, index, dtype)


class RunEventsHandler(BaseHandler):
    """Server-sent events: `status` on connect and on each change, `progress` per step."""

    _closed = False

    def on_connection_close(self):
        self._closed = True
        if getattr(self, "_queue", None) is not None:
            self._queue.put_nowait(None)

    async def _send(self, event: str, data: dict):
        self.write(f"event: {event}\ndata: {request_body.dumps(data)}\n\n")
        await self.flush()

    @web.authenticated
    @authorized("execute")
    async def get(self, run_id):
        try:
            run = self.find_run(run_id)
        except ApiError as err:
            return self.fail(err)
        self.set_header("Content-Type", "text/event-stream; charset=utf-8")
        self.set_header("Cache-Control", "no-cache")
        self.set_header("X-Accel-Buffering", "no")  # nginx in front of JupyterHub
        self._queue = self.manager.subscribe(run)
        try:
            await self._send("status", run.status_event())
            while not run.done and not self._closed:
                try:
                    item = await asyncio.wait_for(self._queue.get(), SSE_KEEPALIVE)
                except asyncio.TimeoutError:
                    self.write(": keepalive\n\n")
                    await self.flush()
                    continue
                if item is None:
                    break
                event, data = item
                await self._send(event, data)
                if event == "status" and data.get("status") in TERMINAL:
                    break
            else:
                # finished between two events: the final status was already queued or sent
                while not self._queue.empty():
                    item = self._queue.get_nowait()
                    if item is not None:
                        await self._send(*item)
        except StreamClosedError:
            return
        finally:
            self.manager.unsubscribe(run, self._queue)
        self.finish(set_content_type="text/event-stream; charset=utf-8")


class ModelsHandler(BaseHandler):
    @web.authenticated
    @authorized("execute")
    async def get(self, kernel_id):
        try:
            try:
                models = await self.manager.list_models(kernel_id)
            except KernelDied as err:
                raise ApiError(409, f"the kernel died while listing its models ({err})") from None
            except KernelTimeout as err:
                raise ApiError(504, f"the kernel did not list its models: {err}") from None
            except RuntimeError as err:
                raise ApiError(502, str(err)) from None
        except (ApiError, UnknownKernel) as err:
            return self.fail(err)
        await self.send_json({"kernel_id": kernel_id, "models": models})


class AssetHandler(BaseHandler):
    """The scripts the offline BertViz views need; a fixed list, nothing from a CDN."""

    _cache: dict = {}

    @staticmethod
    def _read(name: str) -> bytes | None:
        package, file = ASSETS[name]
        try:
            if package is None:
                return (VENDOR_DIR / file).read_bytes()
            return resources.files(package).joinpath(file).read_bytes()
        except (FileNotFoundError, ModuleNotFoundError):
            return None

    @web.authenticated
    @authorized("read")
    async def get(self, name):
        if name not in ASSETS:
            return self.fail(ApiError(404, f"no asset named '{name}'"))
        data = self._cache.get(name)
        if data is None:
            data = await asyncio.to_thread(self._read, name)
            if data is None:
                return self.fail(ApiError(404, f"asset '{name}' is not installed "
                                                "(build the labextension: npm run build)"))
            self._cache[name] = data
        self.set_header("Cache-Control", "private, max-age=86400")
        self.write(data)
        self.finish(set_content_type="application/javascript; charset=utf-8")


# (OpenAPI path template under {base_url}, handler); openapi.yaml lists exactly these.
ROUTES = [
    ("/dlviz-lab/api/catalog", CatalogHandler),
    ("/dlviz-lab/api/runs", RunsHandler),
    ("/dlviz-lab/api/presets", PresetsHandler),
    ("/dlviz-lab/api/runs/{run_id}", RunHandler),
    ("/dlviz-lab/api/runs/{run_id}/events", RunEventsHandler),
    ("/dlviz-lab/api/runs/{run_id}/arrays/{path}", RunArrayHandler),
    ("/dlviz-lab/api/kernels/{kernel_id}/models", ModelsHandler),
    ("/dlviz-lab/assets/{name}", AssetHandler),
]
# an asset name may hold a slash (bertviz/head_view.js, or %2F as OpenAPI clients send it); ids
# may not. Any name reaches the handler, so an unknown one gets our JSON 404, not Jupyter's page.
_PARAM_RE = {"name": r"(?P<name>.+)"}


def route_pattern(template: str) -> str:
    """Tornado regex of an OpenAPI path template."""
    return re.sub(r"\{(\w+)\}", lambda m: _PARAM_RE.get(m.group(1), f"(?P<{m.group(1)}>[^/]+)"),
                  template)


def setup_handlers(web_app):
    base_url = web_app.settings["base_url"]
    handlers = [(url_path_join(base_url, route_pattern(template.lstrip("/"))), handler)
                for template, handler in ROUTES]
    web_app.add_handlers(".*$", handlers)
