"""Previewed dishonesty lists waiting for "apply", as rows (the shared backend): the preview may be
made on one instance and applied on another."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from api.services.pending_imports import LIFETIME, TOKEN_PATTERN, Kept, expired
from api.store.documents.rows import Document, DocumentKind, DocumentRef, DocumentRows, DocumentUnreadable
from api.store.engine import writer
from forms import clock


class ImportRows:
    """One row per preview, keyed by the token's SHA-256 (the table does not show what the form
    must carry): a header line (who, when, SHA-256), then the bytes, encrypted."""

    def __init__(self, rows: DocumentRows, *, lifetime: timedelta = LIFETIME) -> None:
        self.rows, self.lifetime = rows, lifetime

    @staticmethod
    def ref(token: str) -> DocumentRef:
        return DocumentRef(DocumentKind.pending_import, hashlib.sha256(token.encode()).hexdigest())

    def keep(self, data: bytes, *, owner: str) -> Kept:
        token, kept_at = secrets.token_urlsafe(24), clock.now()
        digest = hashlib.sha256(data).hexdigest()
        header = json.dumps({"owner": owner, "kept_at": kept_at.isoformat(), "sha256": digest}).encode()
        with Session(writer(self.rows.engine)) as session:
            self.sweep(session, now=kept_at)
            self.rows.stage(self.ref(token), header + b"\n" + data).record(session)
            session.commit()
        return Kept(token, digest, kept_at + self.lifetime)

    def take(self, token: str, *, owner: str, sha256: str) -> bytes:
        """The kept bytes, once, for whoever kept them, in time; 410 credit.import_expired otherwise.

        The row is locked while it is checked and deleted: of two "apply" clicks, one finds nothing."""
        if not TOKEN_PATTERN.match(token):
            raise expired()
        ref = self.ref(token)
        with Session(writer(self.rows.engine)) as session:
            content = session.exec(
                select(Document.content)
                .where(col(Document.kind) == ref.kind.value, col(Document.key) == ref.key)
                .with_for_update()
            ).first()
            if content is None:
                raise expired()
            try:
                plain = self.rows.open(ref, content)
            except DocumentUnreadable:
                raise expired() from None
            head, _, data = plain.partition(b"\n")
            header = json.loads(head)
            late = clock.now() - datetime.fromisoformat(header["kept_at"]) > self.lifetime
            mine = header["owner"] == owner and header["sha256"] == sha256
            if not late and not (mine and hashlib.sha256(data).hexdigest() == sha256):
                raise expired()  # someone else's, or another file: left for whoever kept it
            self.rows.delete(session, ref)
            session.commit()
        if late:
            raise expired()
        return data

    def sweep(self, session: Session, *, now: datetime | None = None) -> int:
        """Forget the previews nobody applied in time (commits); how many there were."""
        return self.rows.remove_older(session, DocumentKind.pending_import, (now or clock.now()) - self.lifetime)
