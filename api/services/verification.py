"""Checking a letter for anyone: by the number and code printed on it, or by its PDF.

The rules live here once, for the JSON API (api/routes/verify.py) and the public page
(api/pages/verify.py). What is shown is the same in both: no personal data.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field
from sqlmodel import Session, select
from starlette.concurrency import run_in_threadpool

from api.errors import ApiError
from api.store import LetterRecord
from api.store.documents import Pdfs
from api.store.pdf_files import PdfUnreadable
from forms.clock import BEIJING
from forms.public import examples
from forms.seal import SealCheck, Sealer, Verdict
from forms.statuses import Status

MAX_UPLOAD = 10 * 1024 * 1024  # a letter's PDF is a few hundred kB


class Signer(StrEnum):
    platform = "platform"  # the platform's seal, at signing
    department = "department"  # the department's countersignature, at acceptance


class SignatureReport(BaseModel):
    """One signature of an uploaded copy: whose, and whether it is intact."""

    signer: Signer
    verdict: Verdict
    subject: str | None = None  # the certificate's subject
    department_code: str | None = None
    signed_at: datetime | None = None


class Verification(BaseModel):
    """No personal data: the number, the item, the status and whether the PDF is intact."""

    model_config = examples(
        {
            "number": "SFJ-2026-000042",
            "item_code": "SFJ-001",
            "department_code": "SFJ",
            "status": "accepted",
            "signed_on": "2026-11-24",
            "stored_pdf_intact": True,
            "seal": None,
            "matches_stored": None,
        },
        {
            "number": "SFJ-2026-000042",
            "item_code": "SFJ-001",
            "department_code": "SFJ",
            "status": "accepted",
            "signed_on": "2026-11-24",
            "stored_pdf_intact": None,
            "seal": "intact",
            "matches_stored": True,
            "countersigned": True,
            "countersigned_on": "2026-11-25",
            "revision": 2,
            "latest": True,
            "signatures": [
                {"signer": "platform", "verdict": "intact", "subject": "Common Name: chengnuo seal"},
                {"signer": "department", "verdict": "intact", "subject": "Common Name: SFJ", "department_code": "SFJ"},
            ],
        },
    )

    number: str
    item_code: str
    department_code: str
    status: Status
    signed_on: str
    stored_pdf_intact: bool | None = None  # the platform's copy matches its recorded digest
    seal: Verdict | None = None  # for an uploaded PDF: its seal's verdict
    matches_stored: bool | None = None  # for an uploaded PDF: byte for byte the platform's copy of that revision
    # the department countersigned the letter when it accepted it (its newest revision is that copy)
    countersigned: bool = False
    countersigned_on: str | None = None
    # for an uploaded PDF: which revision it is (1: sealed at signing, 2: countersigned), each signature
    revision: int | None = None
    latest: bool | None = None  # the newest revision the platform has of this letter
    signatures: list[SignatureReport] = Field(default_factory=list)


class NotALetter(ApiError):
    """An upload that is no intact letter of ours; only the verdict is told, for the page to word."""

    def __init__(self, verdict: Verdict) -> None:
        message = f"this file is not an intact letter of ours ({verdict})"
        super().__init__(422, "upload.not_a_letter", message, [{"verdict": verdict.value}])
        self.verdict = verdict


NO_CODE = "----+----"  # what a code is compared with when no letter has the number: no real code is it


def by_code(session: Session, pdfs: Pdfs, number: str, code: str) -> Verification:
    """Status and integrity for a number and its verify code, both canonical (forms.validation.printed);
    reads the stored PDF, so not on the loop."""
    record = session.exec(select(LetterRecord).where(LetterRecord.number == number)).first()
    # a wrong code looks exactly like a missing letter, in its answer and its time: numbers are
    # sequential and must not be probed. Bytes: compare_digest refuses non-ASCII text.
    expected = record.verify_code if record is not None else NO_CODE
    if not hmac.compare_digest(expected.encode(), code.encode()) or record is None:
        raise ApiError(404, "not_found", "no letter with this number and code")
    try:
        stored = pdfs.read(record)
    except PdfUnreadable:  # damaged where it is kept: the platform's copy is not intact
        stored = None
    result = _verification(record)
    result.stored_pdf_intact = stored is not None and _digest(stored) == record.pdf_digest(record.pdf_revision)
    return result


async def read_seal(sealer: Sealer, data: bytes) -> SealCheck:
    """The seal's verdict on an uploaded PDF; 422 with only the verdict unless it is intact and ours.

    Anyone can write a PDF that names any number: only the platform's intact seal proves the file
    is that letter, so only then is the letter's record shown (else numbers could be probed).
    """
    if len(data) > MAX_UPLOAD:
        raise ApiError(422, "upload.too_large", "a letter's PDF is far smaller than 10 MB")
    check = await run_in_threadpool(sealer.verify, data)  # ~10 ms of CPU: not on the loop
    if not check.ok or check.number is None:
        raise NotALetter(check.verdict)
    return check


def by_seal(session: Session, check: SealCheck, data: bytes) -> Verification:
    """The letter an intact upload of ours is, and whether it is byte for byte the platform's copy."""
    record = session.exec(select(LetterRecord).where(LetterRecord.number == check.number)).first()
    if record is None:
        raise ApiError(404, "not_found", "no letter with the number this file carries")
    result = _verification(record)
    result.seal = check.seal or check.verdict
    result.revision = check.revision
    result.latest = check.revision - 1 == record.pdf_revision
    result.matches_stored = _digest(data) == record.pdf_digest(check.revision - 1)
    result.signatures = signatures_of(check)
    return result


def signatures_of(check: SealCheck) -> list[SignatureReport]:
    """Both signatures of a copy, in the order they were made."""
    found = [SignatureReport(signer=Signer.platform, verdict=check.seal or check.verdict, subject=check.signer,
                             signed_at=check.sealed_at)]  # fmt: skip
    counter = check.countersignature
    if counter is not None:
        found.append(
            SignatureReport(
                signer=Signer.department,
                verdict=counter.verdict,
                subject=counter.signer,
                department_code=counter.department_code,
                signed_at=counter.signed_at,
            )
        )
    return found


def _verification(record: LetterRecord) -> Verification:
    return Verification(
        number=record.number,
        item_code=record.item_code,
        department_code=record.department_code,
        status=record.status,
        signed_on=record.signed_at.astimezone(BEIJING).date().isoformat(),  # the Beijing date, as printed
        countersigned=record.countersigned_at is not None,
        countersigned_on=record.countersigned_at.astimezone(BEIJING).date().isoformat()
        if record.countersigned_at
        else None,
    )


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
