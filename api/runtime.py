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
from api.csrf import CSRF_KEY_FILE, csrf_token, load_csrf_key
from api.passwords import Passwords
from api.pii import Vault
from api.rendering import Renderer
from api.store.documents import Documents, Pdfs
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
    service_token: str
    passwords: Passwords
    first_admin_password: str | None = None  # shown once, on the first run
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
    def csrf_key(self) -> bytes:
        """Read (or made) on the first page session, not at start: the bot never needs it."""
        return load_csrf_key(self.settings.data_dir / CSRF_KEY_FILE)

    def csrf_token(self, session_token: str) -> str:
        return csrf_token(self.csrf_key, session_token)


def write_session(services: Services) -> Session:
    """A session whose transactions write; use it in a thread, never across an await."""
    return Session(services.write_engine, expire_on_commit=False)
