"""`photomanager serve`: the web app (and its worker), optionally on the sandbox."""

from __future__ import annotations

import errno
import os
import socket
from contextlib import ExitStack
from typing import Annotated

import typer
from pydantic import SecretStr

from photomanager.api.app import create_app
from photomanager.api.server import AppServer, BoundAddress, check_bind_address
from photomanager.bootstrap import (
    Container,
    bootstrap,
    connect_sandbox_account,
    seed_starter_templates,
)
from photomanager.cli.common import (
    console,
    fail,
    sandbox_requested,
    valid_log_level,
)
from photomanager.cli.demo import (
    DemoState,
    read_demo_state,
    remove_demo_state,
    write_demo_state,
)
from photomanager.config import Settings, load_settings
from photomanager.logging_setup import configure_logging
from photomanager.sandbox import Sandbox, SandboxConfig
from photomanager.sandbox.adapters import SandboxServer
from photomanager.sandbox.faults.spec import apply_fault_spec, demo_faults
from photomanager.sandbox.faults.switches import default_rate_limit
from photomanager.services.account.session import loopback_redirect_uri

SANDBOX_SEED = 7
SANDBOX_DEVIATIONS = 3000
SANDBOX_ARRIVALS_PER_HOUR = 120.0  # a demo feed that keeps moving


def _sandbox_settings(settings: Settings, sandbox: Sandbox, base_url: str) -> Settings:
    secret = sandbox.client_secret
    return settings.model_copy(
        update={
            "da_base_url": base_url,
            "da_client_id": sandbox.client_id,
            "da_client_secret": SecretStr(secret) if secret else None,
        }
    )


def _build(stack: ExitStack, settings: Settings, *, sandbox: bool) -> Container:
    if not sandbox:
        container = bootstrap(settings)
        stack.callback(container.close)
        return container
    fake = Sandbox.seeded(
        seed=SANDBOX_SEED,
        deviations=SANDBOX_DEVIATIONS,
        config=SandboxConfig(arrivals_per_hour=SANDBOX_ARRIVALS_PER_HOUR),
    )
    base_url = stack.enter_context(SandboxServer(fake))  # the browser's consent page
    settings = _sandbox_settings(settings, fake, base_url)
    container = bootstrap(
        settings, sandbox=fake, database_url=settings.resolved_database_url(sandbox=True)
    )
    stack.callback(container.close)
    connect_sandbox_account(container)
    seed_starter_templates(container)
    # `photomanager --sandbox collect|worker|auth` reach this fake DeviantArt through it.
    pid = os.getpid()
    write_demo_state(
        settings.data_dir,
        DemoState(
            base_url=base_url, client_id=fake.client_id, client_secret=fake.client_secret, pid=pid
        ),
    )
    stack.callback(remove_demo_state, settings.data_dir, pid)
    return container


def check_port_free(host: str, port: int) -> None:
    """Exit 1 with a way out when another program listens on `port` (uvicorn would exit 3)."""
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # The same option uvicorn sets: a port left in TIME_WAIT is free, a listener is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                fail(f"port {port} is in use: use --port or PHOTOMANAGER_PORT")
            fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


def serve(
    ctx: typer.Context,
    sandbox: Annotated[
        bool, typer.Option("--sandbox", help="Demo mode: a fake DeviantArt, its own database.")
    ] = False,
    host: Annotated[str | None, typer.Option(help="Address to bind (default 127.0.0.1).")] = None,
    port: Annotated[
        int | None, typer.Option(min=0, max=65535, help="Port (default 8000; 0 = any free).")
    ] = None,
    allow_remote: Annotated[
        bool,
        typer.Option("--allow-remote", help="Allow a non-loopback address (needs an API token)."),
    ] = False,
    faults: Annotated[
        str,
        typer.Option(
            help='Demo only: make the fake DeviantArt misbehave, e.g. "rate=6/10,errors=0.05,'
            'drops=0.02,slow=0.3,edge403,gone=comments/deviation,throttle400" (also: '
            "retryafter, bucket=R, nolimit, maintenance, restricted; the deviants: "
            "reactions=F, reactdelay=S[-T])."
        ),
    ] = "",
) -> None:
    """Run the web app (and the comment worker) on this machine."""
    sandbox = sandbox or sandbox_requested(ctx)
    if faults and not sandbox:
        fail("--faults only applies to the demo: add --sandbox")
    if faults:
        # Refuse a bad spec before anything starts.
        demo_faults(faults)
    settings = load_settings()
    bind_host = host or settings.host
    bind_port = settings.port if port is None else port
    check_bind_address(
        bind_host,
        allow_remote=allow_remote or settings.allow_remote,
        api_token_set=settings.api_token is not None,
    )
    check_port_free(bind_host, bind_port)
    if sandbox:
        running = read_demo_state(settings.data_dir)
        if running is not None:
            # Two demos on one data dir would share its database and overwrite demo.json.
            fail(f"the demo is already running (pid {running.pid}); stop it first")
    level = valid_log_level(settings.log_level, default="INFO")
    configure_logging(level)
    out = console()
    with ExitStack() as stack:
        container = _build(stack, settings, sandbox=sandbox)
        if container.sandbox is not None:
            # Rate limited as DeviantArt does it by default, then the faults asked for.
            container.sandbox.faults.rate_limit = default_rate_limit()
            apply_fault_spec(container.sandbox.faults, faults)
        app = create_app(container, run_worker=container.settings.run_worker_in_server)

        def on_bound(bound_host: str, bound_port: int) -> None:
            if container.sandbox is not None:
                container.sandbox.register_redirect_uri(loopback_redirect_uri(bound_port))
            badge = " [SANDBOX: fake DeviantArt]" if container.sandbox_mode else ""
            out.print(
                f"photomanager listening on {BoundAddress(bound_host, bound_port).url}{badge}"
            )

        AppServer(
            app,
            host=bind_host,
            port=bind_port,
            log_level=level,
            on_bound=on_bound,
        ).run()
