"""The FastAPI app factory: routers, the one error mapping, the security middleware."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from photomanager import __version__
from photomanager.api import docs
from photomanager.api.errors import CatchAllMiddleware, install_error_handlers
from photomanager.api.routes import (
    auth,
    collect,
    health,
    inbox,
    logs,
    messages,
    outcomes,
    queue,
    review,
    settings,
)
from photomanager.api.routes import status as status_routes
from photomanager.api.routes import worker as worker_routes
from photomanager.api.security import SecurityMiddleware, SecurityPolicy
from photomanager.bootstrap import Container
from photomanager.web import routes as web_routes

DESCRIPTION = (
    "Auto Comments for a DeviantArt artist, through the official API. "
    "A local admin app: it answers on loopback names only, and every state-changing "
    "request must be a same-origin `application/json` request."
)


def security_policy(container: Container) -> SecurityPolicy:
    """The Host allow-list and optional API token from the settings."""
    settings = container.settings
    extra = list(settings.allowed_hosts)
    if settings.host not in ("0.0.0.0", "::", ""):  # noqa: S104 - a wildcard names no host
        extra.append(settings.host)
    token = settings.api_token.get_secret_value() if settings.api_token else None
    return SecurityPolicy.local(extra, api_token=token, image_origins=container.image_origins)


def create_app(container: Container, *, run_worker: bool = False) -> FastAPI:
    """The web app over `container`; with `run_worker`, the worker thread runs with it."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if run_worker:
            container.worker_thread.start()
        try:
            yield
        finally:
            if run_worker:
                container.worker_thread.stop()

    app = FastAPI(
        title="photomanager",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,  # served by `docs.router` under its own CSP
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.container = container
    install_error_handlers(app)
    for router in (
        status_routes.router,
        collect.router,
        worker_routes.router,
        messages.router,
        queue.router,
        review.router,
        logs.router,
        inbox.router,
        outcomes.router,
        settings.router,
        health.router,
        auth.router,
        docs.router,
        web_routes.router,
    ):
        app.include_router(router)
    # Added last = outermost: the security checks see every request first.
    app.add_middleware(CatchAllMiddleware)
    app.add_middleware(SecurityMiddleware, policy=security_policy(container))
    return app
