"""Everything a window sees of one letter: the letter as signed, its moves, files, objections and
the notices the applicant was sent."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from api.pii import Vault
from api.services.documents import stored_letter
from api.store import AccessLog, LetterEvent, LetterRecord, Objection, OutboxMessage, Upload
from forms import clock
from forms.catalogue import CommitmentType, Item
from forms.letter import Letter
from forms.seal import SealCheck, Sealer
from forms.statuses import Actor, Status, next_moves


@dataclass(frozen=True)
class Notice:
    """A message to the applicant: what it says, and whether the bot has delivered it."""

    kind: str
    to_status: str | None
    created_at: datetime
    delivered_at: datetime | None


@dataclass
class Dossier:
    record: LetterRecord
    letter: Letter
    item: Item
    events: list[LetterEvent] = field(default_factory=list)
    attachments: list[Upload] = field(default_factory=list)
    objections: list[Objection] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    superseded_by: str | None = None  # the re-commitment that replaced this letter

    @property
    def moves(self) -> list[Status]:
        """The statuses a window may set now: one button each."""
        record = self.record
        return next_moves(Status(record.status), Actor.window, CommitmentType(record.commitment_type))


def dossier(session: Session, vault: Vault, record: LetterRecord) -> Dossier:
    letter, item = stored_letter(vault, record)
    found = Dossier(record=record, letter=letter, item=item)
    of_letter = record.id
    events = select(LetterEvent).where(LetterEvent.letter_id == of_letter).order_by(col(LetterEvent.id))
    files = select(Upload).where(Upload.letter_id == of_letter).order_by(col(Upload.created_at), col(Upload.id))
    objections = select(Objection).where(Objection.letter_id == of_letter).order_by(col(Objection.id))
    messages = select(OutboxMessage).where(OutboxMessage.letter_id == of_letter).order_by(col(OutboxMessage.id))
    found.events = list(session.exec(events))
    found.attachments = list(session.exec(files))
    found.objections = list(session.exec(objections))
    found.notices = [_notice(m) for m in session.exec(messages)]
    replacing = select(LetterRecord.number).where(LetterRecord.replaces == record.number).order_by(col(LetterRecord.id))
    found.superseded_by = session.exec(replacing).first()
    return found


def _notice(message: OutboxMessage) -> Notice:
    payload = json.loads(message.payload or "{}")
    return Notice(message.kind, payload.get("to_status"), message.created_at, message.acked_at)


def log_read(session: Session, *, staff_id: int, letter_id: int, action: str) -> None:
    """A member of staff saw a letter's personal data (reveal, pdf, attachment): who, which, when."""
    session.add(AccessLog(staff_id=staff_id, letter_id=letter_id, at=clock.now(), action=action))
    session.commit()


def reveal(session: Session, vault: Vault, record: LetterRecord, staff_id: int) -> tuple[str, str]:
    """The ID and phone numbers in full, written to the access log first (who, which letter, when)."""
    assert record.id is not None
    log_read(session, staff_id=staff_id, letter_id=record.id, action="reveal")
    return vault.decrypt(record.id_encrypted), vault.decrypt(record.phone_encrypted)


@dataclass(frozen=True)
class SealState:
    """The stored PDF's state: the platform's copy unchanged, and its seal's verdict."""

    stored_intact: bool
    seal: SealCheck


def seal_state(sealer: Sealer, record: LetterRecord, pdf: bytes) -> SealState:
    """~10 ms of CPU in pyHanko: call it from a worker thread, not the event loop."""
    recorded = record.pdf_digest(record.pdf_revision)  # the newest revision: countersigned once accepted
    intact = recorded is not None and hashlib.sha256(pdf).hexdigest() == recorded
    return SealState(stored_intact=intact, seal=sealer.verify(pdf))
