"""The window API's application factory: builds the services once, wires the routers."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import ModuleType

from fastapi import FastAPI
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import errors, pages
from api.config import ApiSettings
from api.deps import Services, write_session
from api.passwords import Passwords
from api.pii import KEY_FILE, Vault
from api.rendering import Renderer
from api.routes import (
    admin,
    applicant,
    auth,
    credit,
    letters,
    miniapp,
    outbox,
    previews,
    publications,
    search,
    signatures,
    transitions,
    uploads,
    verify,
)
from api.services.auth import ensure_first_admin
from api.services.deadlines import run_deadlines
from api.store.engine import make_engine, migrate, writer
from api.store.pdf_files import PdfStore
from forms.catalogue import load_catalogue
from forms.seal import Sealer

log = logging.getLogger(__name__)


def build_services(settings: ApiSettings) -> Services:
    """Open the store (migrated to the newest schema), the keys and the render pool."""
    engine = make_engine(settings.store_url)
    migrate(engine)
    passwords = Passwords(settings.password_hashes)
    with Session(writer(engine)) as session:
        first_admin_password = ensure_first_admin(session, passwords)
    return Services(
        settings=settings,
        engine=engine,
        write_engine=writer(engine),
        catalogue=load_catalogue(settings.catalogue_dir),
        vault=Vault.from_key_file(settings.data_dir / KEY_FILE),
        renderer=Renderer(settings, settings.render_workers),
        pdfs=PdfStore(settings.letters_dir),
        sealer=Sealer.from_settings(settings),
        service_token=settings.bot_token(),
        passwords=passwords,
        first_admin_password=first_admin_password,
    )


async def _deadlines_every(services: Services) -> None:
    """Reminders and terminations on a timer; every worker runs it, each effect happens once."""
    while True:
        try:
            await run_in_threadpool(_run_deadlines, services)
        except Exception:  # a failed run is logged; the next one tries again
            log.exception("deadline run failed")
        await asyncio.sleep(services.settings.deadline_interval)


def _run_deadlines(services: Services) -> None:
    with write_session(services) as session:
        run_deadlines(session)


def create_app(settings: ApiSettings, services: Services | None = None) -> FastAPI:
    """Build the app for these settings; nothing happens at import time."""
    services = services or build_services(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        timer = asyncio.create_task(_deadlines_every(services)) if settings.deadline_interval else None
        # what start-up built lives as long as the process: out of the collector's sight, the
        # full collections that would pause a request every few thousand are short
        gc.collect()
        gc.freeze()
        yield
        if timer is not None:
            timer.cancel()
        services.renderer.close()
        services.engine.dispose()

    app = FastAPI(
        title="chengnuo window API",
        version="0.1.0",
        description="Receives signed commitment letters from the bot; lets the windows find, verify and act on them.",
        lifespan=lifespan,
    )
    app.state.services = services
    if settings.proxies:  # the client is who the proxy says it forwards for (logins are limited per address)
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.proxies)
    errors.install(app)
    routers: tuple[ModuleType, ...] = (letters, search, transitions, publications, credit, auth, admin, outbox, verify)
    routers += (signatures, miniapp)
    routers += (uploads, applicant, previews)
    for module in routers:
        app.include_router(module.router)
    pages.install(app)

    healthy = {"status": "ok", "items": 12, "catalogue_problems": 0}

    @app.get("/healthz", tags=["health"], responses={200: {"content": {"application/json": {"example": healthy}}}})
    async def healthz() -> dict[str, object]:
        """Up, with the catalogue loaded."""
        catalogue = services.catalogue
        return {"status": "ok", "items": len(catalogue.items), "catalogue_problems": len(catalogue.problems)}

    return app
