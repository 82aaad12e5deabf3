"""The department countersigns a letter as its window accepts it (seed 004: the letter takes effect
by signature or seal; seed 000: one copy for each party).

The sealed PDF gets a second PAdES signature as an incremental revision (forms/countersign.py): no
re-render, some 35 ms. The countersigned PDF is staged (a file written durably, or a row) before
the move's transaction, recorded in it with the status, and taken back if it does not commit: a
letter is never `accepted` without its countersigned document, nor the other way round.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from sqlmodel import Session, select

from api.errors import ApiError, storage_refusal
from api.keys import Key
from api.runtime import Services
from api.store import DepartmentSeal, KeyFingerprint, LetterRecord
from api.store.documents import Pdfs, Staged
from api.store.engine import insert_for
from api.store.letters import COUNTERSIGNED, SEALED
from api.store.pdf_files import PdfUnreadable
from forms import clock
from forms.catalogue import Catalogue
from forms.clock import BEIJING
from forms.countersign import CountersignUnavailable, DepartmentSigners, countersign, textual_stamp
from forms.statuses import Status

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Countersigning:
    """What a countersignature needs: the stored PDFs, the departments' keys and their names."""

    pdfs: Pdfs
    departments: DepartmentSigners
    catalogue: Catalogue

    @classmethod
    def of(cls, services: Services) -> Countersigning:
        departments = services.sealer.departments
        assert departments is not None  # Sealer.from_settings gives it
        return cls(services.pdfs, departments, services.catalogue)

    def prepare(self, session: Session, record: LetterRecord, at: datetime) -> tuple[str, Staged]:
        """The countersigned PDF, staged for the move's transaction; 503/507 with a reason when it
        cannot be made or stored (the move is then refused and the status stays). pyHanko signs with
        an event loop of its own: call it from a worker thread (routes and pages do), not on the loop."""
        code = record.department_code
        try:
            sealed = self.pdfs.read(record, SEALED)
        except PdfUnreadable:
            sealed = None
        if sealed is None:
            raise ApiError(
                503, "countersign.no_pdf", f"the sealed PDF of {record.number} is not there yet: try again shortly"
            )
        try:
            signer = self.departments.signer(code)
            certificate = signer.signing_cert
            assert certificate is not None  # DepartmentSigners loads none without it
            same_everywhere(session, code, certificate.dump(), self.departments.source(code))
            pdf = countersign(
                sealed,
                signer,
                stamp_png=self.stamp(session, code),
                accepted_on=at.astimezone(BEIJING).date(),
                number=record.number,
            )
        except CountersignUnavailable as error:
            log.error("letter %s cannot be countersigned: %s", record.number, error)
            raise ApiError(503, "countersign.unavailable", f"the department cannot countersign: {error}") from None
        try:
            digest, staged = self.pdfs.stage(record, pdf, COUNTERSIGNED)
        except Exception as error:
            refusal = storage_refusal(error)
            if refusal is not None:
                raise refusal from error
            raise
        return digest, staged

    def stamp(self, session: Session, code: str) -> bytes:
        """The uploaded seal image, or a plain stamp with the department's name."""
        uploaded = session.get(DepartmentSeal, code)
        if uploaded is not None:
            return uploaded.png
        department = self.catalogue.departments.get(code)
        return _textual(department.name.zh if department else code)


@dataclass
class Countersigned:
    """A move's countersigned copy, staged: its columns for the move's UPDATE, recorded with the
    commit, taken back when the move does not commit. Empty for every move but accepting."""

    staged: Staged | None = None
    values: dict[str, object] = field(default_factory=dict)

    def commit(self, session: Session, record: LetterRecord) -> None:
        """Record the staged copy and commit the move: both or neither (507/503 when storage fails)."""
        try:
            if self.staged is not None:
                self.staged.record(session)
            session.commit()
        except BaseException as error:
            session.rollback()
            self.discard()
            refusal = storage_refusal(error) if self.staged is not None else None
            if refusal is not None:
                raise refusal from error
            raise
        if self.staged is not None:
            record.countersigned_sha256 = self.values["countersigned_sha256"]  # type: ignore[assignment]
            record.countersigned_at = self.values["countersigned_at"]  # type: ignore[assignment]

    def discard(self) -> None:
        if self.staged is not None:
            self.staged.discard()


def countersigned_on(
    session: Session, record: LetterRecord, target: Status, at: datetime, countersigning: Countersigning | None
) -> Countersigned:
    """Accepting: the department countersigns, once (a letter accepted again keeps its copy)."""
    if target is not Status.accepted or record.countersigned_sha256 is not None:
        return Countersigned()
    if countersigning is None:  # a caller that forgot it: never an accepted letter signed by one party
        raise ApiError(503, "countersign.unavailable", "accepting needs the department's countersignature")
    digest, staged = countersigning.prepare(session, record, at)
    return Countersigned(staged, {"countersigned_sha256": digest, "countersigned_at": at})


def same_everywhere(session: Session, code: str, certificate: bytes, source: str) -> None:
    """Every instance countersigns with the same certificate per department, as with the platform's
    seal (api/keys.py): the first countersignature records its fingerprint, a different one is refused."""
    key = Key(f"seal:{code}"[:32], f"the certificate of department {code}", certificate, source,
              advice="CHENGNUO_DEPARTMENT_SEALS_DIR (or one shared data directory)")  # fmt: skip
    insert = insert_for(session)(KeyFingerprint).values(
        name=key.name, fingerprint=key.fingerprint, recorded_at=clock.now()
    )
    session.execute(insert.on_conflict_do_nothing(index_elements=["name"]))
    recorded = session.exec(select(KeyFingerprint.fingerprint).where(KeyFingerprint.name == key.name)).one()
    if not hmac.compare_digest(recorded, key.fingerprint):
        raise CountersignUnavailable(key.mismatch())


@lru_cache(maxsize=64)
def _textual(name: str) -> bytes:
    return textual_stamp(name)
