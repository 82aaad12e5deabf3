"""What the document store holds at rest, whichever backend the services use: files under the
data directory (SQLite) or rows of the `documents` table (PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from api.runtime import Services, write_session
from api.store.documents import Document, DocumentKind


def pdf_files(services: Services, number: str) -> list[Path]:
    """Every file the letters directory holds for this letter, temporary ones included."""
    return [p for p in services.settings.letters_dir.rglob(f"*{number}-*") if p.is_file()]


def _rows(kind: DocumentKind, key: str) -> tuple[object, ...]:
    return (col(Document.kind) == kind.value, col(Document.key) == key)


def at_rest(services: Services, kind: DocumentKind, key: str) -> list[bytes]:
    """The stored bytes, as the disk or the database holds them (encrypted), of every copy."""
    if services.documents.in_database:
        with Session(services.engine) as session:
            return list(session.exec(select(Document.content).where(*_rows(kind, key))).all())  # type: ignore[arg-type]
    if kind is DocumentKind.pdf:
        return [path.read_bytes() for path in pdf_files(services, key)]
    if kind is DocumentKind.upload:
        path = services.settings.uploads_dir / key[3:5] / key
        return [path.read_bytes()] if path.exists() else []
    raise NotImplementedError(kind)


def every(services: Services, kind: DocumentKind) -> dict[str, bytes]:
    """Every document of a kind, by its name at rest (a file's, a row's key): what a thief of the
    disk or of a database dump would see."""
    if services.documents.in_database:
        with Session(services.engine) as session:
            found = session.exec(select(Document.key, Document.content).where(col(Document.kind) == kind.value))
            return dict(found.all())
    root = {DocumentKind.drawing: services.settings.signatures_dir, DocumentKind.upload: services.settings.uploads_dir}
    return {path.name: path.read_bytes() for path in root[kind].rglob("*") if path.is_file()}


def remove(services: Services, kind: DocumentKind, key: str) -> None:
    """As a lost disk or a deleted row leaves it: the document is gone, its record is not."""
    if services.documents.in_database:
        with write_session(services) as session:
            session.execute(delete(Document).where(*_rows(kind, key)))  # type: ignore[arg-type]
            session.commit()
        return
    assert kind is DocumentKind.pdf
    for path in pdf_files(services, key):
        path.unlink()


def damage(services: Services, kind: DocumentKind, key: str) -> None:
    """A disk fault, or another document copied over this one."""
    if services.documents.in_database:
        with write_session(services) as session:
            session.execute(update(Document).where(*_rows(kind, key)).values(content=b"\0" * 64))  # type: ignore[arg-type]
            session.commit()
        return
    assert kind is DocumentKind.pdf
    (path,) = pdf_files(services, key)
    path.write_bytes(b"\0" * 64)
