"""What routes receive as parameters: the session, the services, and who is calling."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy import Engine
from sqlmodel import Session

from api.config import ApiSettings
from api.errors import ApiError
from api.pii import Vault
from api.rendering import Renderer
from api.store.pdf_files import PdfStore
from forms.catalogue import Catalogue
from forms.seal import Sealer


@dataclass
class Services:
    """Built once by the app factory and kept on app.state."""

    settings: ApiSettings
    engine: Engine  # reads
    write_engine: Engine  # transactions that write (api.store.engine.writer)
    catalogue: Catalogue
    vault: Vault
    renderer: Renderer
    pdfs: PdfStore
    sealer: Sealer
    service_token: str


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_session(services: ServicesDep) -> Iterator[Session]:
    """A reading session, for sync routes (FastAPI runs them in its thread pool)."""
    with Session(services.engine, expire_on_commit=False) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def write_session(services: Services) -> Session:
    """A session whose transactions write; use it in a thread, never across an await."""
    return Session(services.write_engine, expire_on_commit=False)


def require_service(services: ServicesDep, authorization: Annotated[str | None, Header()] = None) -> None:
    """The bot's service token, as `Authorization: Bearer <token>`."""
    token = (authorization or "").removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(token.encode(), services.service_token.encode()):
        raise ApiError(401, "unauthorized", "the service token is missing or wrong")


ServiceAuth = Depends(require_service)
