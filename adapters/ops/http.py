"""`/healthz` and `/metrics` as a small Starlette app.

`ops_routes(fleet)` are plain Starlette routes, so a dashboard serving its
own app can mount the same two; without one, `serve_ops` runs them on their
own port (`metrics: {listen, port}`) with uvicorn inside the bot's loop.

`/healthz` answers 200 when every community this process owns has its
database and every platform up, and every standby reaches the database of
its lock; 503 otherwise. The body says which part is down, and (where
processes share the communities) this process's id, how many processes
share them, its share and the communities it owns.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from adapters.ops.fleet import Fleet, Served
from bot.config.operations import MetricsConfig

log = logging.getLogger(__name__)

# A database that has not answered within this is down, for /healthz.
_DB_TIMEOUT = 2.0


async def _database(served: Served) -> bool:
    app = served.app
    if app is None:
        return await served.lock.ping()
    try:
        async with asyncio.timeout(_DB_TIMEOUT), app.store.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


async def health(fleet: Fleet) -> tuple[bool, dict[str, Any]]:
    now = time.time()
    communities: dict[str, Any] = {}
    ok = True
    for served in list(fleet.served.values()):
        database = await _database(served)
        entry: dict[str, Any] = {"role": served.role, "database": database}
        healthy = database
        if served.role == "owner":
            up = served.gateways()
            entry["platforms"] = {name: name in up for name in served.platforms}
            healthy = healthy and all(entry["platforms"].values())
            last = fleet.metrics.last_event(served.slug)
            entry["last_update_age"] = None if last is None else round(now - last, 3)
        entry["ok"] = healthy
        ok = ok and healthy
        communities[served.slug] = entry
    body: dict[str, Any] = {"status": "ok" if ok else "down", "communities": communities}
    if fleet.balance is not None:
        # Which process this is, how many share the folder, its share.
        body["process"] = fleet.balance.report()
    return ok, body


def ops_routes(fleet: Fleet) -> list[Route]:
    async def healthz(request: Request) -> Response:
        ok, body = await health(fleet)
        return JSONResponse(body, status_code=200 if ok else 503)

    async def metrics(request: Request) -> Response:
        return Response(generate_latest(fleet.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return [Route("/healthz", healthz), Route("/metrics", metrics)]


def ops_app(fleet: Fleet) -> Starlette:
    return Starlette(routes=ops_routes(fleet))


@contextlib.asynccontextmanager
async def serve_ops(fleet: Fleet, settings: MetricsConfig) -> AsyncIterator[None]:
    """The two routes on `settings.listen:port`, for as long as the block
    runs; nothing without a port."""
    if settings.port is None:
        yield
        return
    try:
        # Bound here, so a port in use is the owner's line, not uvicorn's exit.
        listening = socket.create_server((settings.listen, settings.port))
    except OSError as exc:
        where = f"{settings.listen}:{settings.port}"
        raise OSError(f"metrics.port: cannot listen on {where}: {exc.strerror or exc}") from exc
    config = uvicorn.Config(
        ops_app(fleet),
        host=settings.listen,
        port=settings.port,
        log_config=None,
        access_log=False,
        lifespan="off",
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[listening]))
    try:
        yield
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 5)
        listening.close()


class _Server(uvicorn.Server):
    """uvicorn without its signal handlers: the bot stops on SIGTERM in its
    own order (adapters.runners), and stops this server last."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield
