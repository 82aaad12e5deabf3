"""The window API's application factory: builds the services once, wires the routers."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import ModuleType

from fastapi import FastAPI
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import errors, handlers, openapi, pages
from api.config import ApiSettings
from api.hsts import StrictTransport
from api.keys import KeyProblem, check_department_certificates, checked_keys
from api.limits import BodyLimit
from api.pages.base import refused
from api.passwords import Passwords
from api.pii import Vault
from api.rendering import Renderer
from api.routes import (
    admin,
    applicant,
    auth,
    authorisations,
    credit,
    letters,
    miniapp,
    outbox,
    previews,
    publications,
    search,
    shares,
    signatures,
    transitions,
    uploads,
    verify,
)
from api.runtime import Services, write_session
from api.services.auth import ensure_first_admin, no_staff_yet
from api.services.deadlines import run_deadlines
from api.services.sweep import SWEEP_EVERY, sweep_documents
from api.sessions import secure_cookies
from api.store.documents import open_documents
from api.store.engine import make_engine, migrate, writer
from forms.catalogue import load_catalogue
from forms.holidays import holidays_file, load_holidays
from forms.seal import Sealer
from forms.workdays import use_calendar

log = logging.getLogger(__name__)


def build_services(settings: ApiSettings, *, render_workers: int | None = None) -> Services:
    """Open the store (migrated to the newest schema), the keys (checked against the store's
    fingerprints: KeyProblem) and the render pool (of `render_workers` processes: by default
    CHENGNUO_RENDER_WORKERS, the whole machine's)."""
    # the county's working calendar, before anything counts a working day (HolidaysProblem: one line)
    use_calendar(load_holidays(holidays_file(settings.catalogue_dir)))
    engine = make_engine(settings.store_url)
    migrate(engine)
    sealer = Sealer.from_settings(settings)
    catalogue = load_catalogue(settings.catalogue_dir)
    try:
        keys = checked_keys(settings, engine, sealer)
        check_department_certificates(sealer, catalogue)
    except KeyProblem:  # this instance's keys are not the data's: it does not start
        engine.dispose()
        raise
    passwords = Passwords(settings.password_hashes)
    first_admin_password, admin_missing = None, False
    with Session(writer(engine)) as session:
        if engine.dialect.name == "sqlite":  # one machine: the password goes to the terminal that started it
            first_admin_password = ensure_first_admin(session, passwords)
        else:  # a shared store: nothing secret in the logs of whichever instance came first
            admin_missing = no_staff_yet(session)
    vault = Vault(keys.personal_data.value)
    return Services(
        settings=settings,
        engine=engine,
        write_engine=writer(engine),
        catalogue=catalogue,
        vault=vault,
        renderer=Renderer(
            settings,
            settings.render_workers if render_workers is None else render_workers,
            job_seconds=settings.render_timeout,
        ),
        documents=open_documents(settings, vault, engine),
        sealer=sealer,
        service_token=keys.token,
        passwords=passwords,
        csrf_key=keys.session.value,
        first_admin_password=first_admin_password,
        admin_missing=admin_missing,
    )


async def _deadlines_every(services: Services) -> None:
    """Reminders and terminations on a timer; every worker runs it, each effect happens once.
    The documents' sweep rides on it: at start, then at most every SWEEP_EVERY."""
    next_sweep = 0.0
    while True:
        try:
            await run_in_threadpool(_run_deadlines, services)
        except Exception:  # a failed run is logged; the next one tries again
            log.exception("deadline run failed")
        if time.monotonic() >= next_sweep:
            await _sweep(services)
            next_sweep = time.monotonic() + SWEEP_EVERY.total_seconds()
        await asyncio.sleep(services.settings.deadline_interval)


async def _sweep(services: Services) -> None:
    try:
        await run_in_threadpool(sweep_documents, services.engine, services.settings, services.vault)
    except Exception:
        log.exception("document sweep failed")


def _run_deadlines(services: Services) -> None:
    with write_session(services) as session:
        run_deadlines(session)


def create_app(settings: ApiSettings, services: Services | None = None) -> FastAPI:
    """Build the app for these settings; nothing happens at import time."""
    services = services or build_services(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        timer = asyncio.create_task(_deadlines_every(services) if settings.deadline_interval else _sweep(services))
        # what start-up built lives as long as the process: out of the collector's sight, the
        # full collections that would pause a request every few thousand are short
        gc.collect()
        gc.freeze()
        yield
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
    handlers.install(app)
    app.add_middleware(BodyLimit, default=settings.max_body, page=refused)
    if secure_cookies(settings.public_url):  # served over https: browsers are told to stay there
        app.add_middleware(StrictTransport)
    routers: tuple[ModuleType, ...] = (letters, search, transitions, publications, credit, auth, admin, outbox, verify)
    routers += (signatures, miniapp)
    routers += (uploads, applicant, previews, shares, authorisations)
    for module in routers:
        app.include_router(module.router)
    pages.install(app)
    openapi.install(app)

    healthy = {"status": "ok", "items": 12, "catalogue_problems": 0}
    unhealthy = {"code": "render.unavailable", "message": "no render worker answered within 10 s", "details": []}
    health_answers: dict[int | str, dict[str, object]] = {
        200: {"content": {"application/json": {"example": healthy}}},
        503: {"model": errors.ErrorBody, "content": {"application/json": {"example": unhealthy}}},
    }

    @app.get("/healthz", tags=["health"], responses=health_answers)
    async def healthz() -> dict[str, object]:
        """Up, with the catalogue loaded and a render worker that answers; 503 render.unavailable
        says what stops the PDFs (the pool replaces dead workers itself; this checks it can)."""
        problem = await services.renderer.problem()
        if problem is not None:
            raise errors.ApiError(503, "render.unavailable", problem)
        catalogue = services.catalogue
        return {"status": "ok", "items": len(catalogue.items), "catalogue_problems": len(catalogue.problems)}

    return app
