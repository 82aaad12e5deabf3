"""What the API runs on: its settings, the store's engines, the catalogue, the keys, the render
pool. Built once by the app factory (api/app.py); services take it as an argument. Nothing here
knows FastAPI: the routes reach it through api/deps.py.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Engine
from sqlmodel import Session

from api.config import ApiSettings
from api.csrf import csrf_token
from api.passwords import Passwords
from api.pii import Vault
from api.rendering import Renderer
from api.store.documents import Documents, Pdfs
from api.store.engine import lookups
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
    documents: Documents  # files under the data directory, or rows of PostgreSQL (api/store/documents)
    sealer: Sealer
    service_token: str = field(repr=False)  # keys stay out of tracebacks and logs
    passwords: Passwords
    csrf_key: bytes = field(repr=False)  # the session key (api/keys.py)
    first_admin_password: str | None = None  # shown once, on the first run of one machine (SQLite)
    admin_missing: bool = False  # a shared store without an administrator yet: `chengnuo staff add`
    # the PDF being made now for a letter (by id): concurrent requests share one job (api/services/pdfs.py)
    pdf_jobs: dict[int, asyncio.Future[bytes]] = field(default_factory=dict)

    @property
    def pdfs(self) -> Pdfs:
        return self.documents.pdfs

    @property
    def reads_inline(self) -> bool:
        """An indexed read of a local SQLite file takes microseconds: cheaper on the event loop
        than the hop to a worker thread. Reads over a network (PostgreSQL) take the thread."""
        return self.engine.dialect.name == "sqlite"

    @cached_property
    def lookup_engine(self) -> Engine:
        """For the lookups that must be quick (by number, by ID number, a token): no transaction
        round trips on PostgreSQL (api.store.engine.lookups). Reads only."""
        return lookups(self.engine)

    def csrf_token(self, session_token: str) -> str:
        return csrf_token(self.csrf_key, session_token)


def write_session(services: Services) -> Session:
    """A session whose transactions write; use it in a thread, never across an await."""
    return Session(services.write_engine, expire_on_commit=False)
