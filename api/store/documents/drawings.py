"""Drawn signatures waiting for their letter, as rows (the shared backend): the Mini App's drawing
may reach one instance and the bot's fetch another."""

from __future__ import annotations

from sqlmodel import Session

from api.drawings import drawing_image, drawing_key, drawing_record
from api.store.documents.rows import Document, DocumentKind, DocumentRef, DocumentRows
from api.store.engine import insert_for, writer
from forms.channels import ChannelUser


class DrawingRows:
    """One row per (channel user, content hash), under the same keyed hash the files are named by."""

    def __init__(self, rows: DocumentRows) -> None:
        self.rows = rows

    def ref(self, who: ChannelUser, content_hash: str) -> DocumentRef:
        return DocumentRef(DocumentKind.drawing, drawing_key(self.rows.vault, who, content_hash))

    def put(self, who: ChannelUser, content_hash: str, png: bytes, *, session: Session | None = None) -> None:
        """Store the drawing in the caller's transaction (they commit), or in one of its own;
        a new drawing for the same pair replaces the earlier one."""
        if session is None:
            with Session(writer(self.rows.engine)) as own:
                self.put(who, content_hash, png, session=own)
                own.commit()
            return
        row = self.rows.row(self.ref(who, content_hash), drawing_record(who, content_hash, png))
        values = row.model_dump()
        insert = insert_for(session)(Document).values(**values)
        replaced = {name: values[name] for name in ("sha256", "size", "content", "created_at")}
        session.execute(insert.on_conflict_do_update(index_elements=["kind", "key", "revision"], set_=replaced))

    def get(self, who: ChannelUser, content_hash: str) -> bytes | None:
        """The drawing, or None when there is none for this user and letter."""
        stored = self.rows.read(self.ref(who, content_hash))
        return None if stored is None else drawing_image(stored.data, who, content_hash)
