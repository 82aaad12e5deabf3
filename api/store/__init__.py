"""The store: tables, engine and migrations. The API is its only writer."""

from api.store.applicant import Objection, Upload
from api.store.credit import CreditImport, CreditRecord, Publication
from api.store.keys import KeyFingerprint
from api.store.letters import (
    IdempotencyKey,
    LetterEvent,
    LetterRecord,
    NameGram,
    NumberCounter,
    OutboxMessage,
    letters_listed,
)
from api.store.seals import DepartmentSeal
from api.store.shares import Share
from api.store.staff import AccessLog, LoginTries, Staff, StaffToken, Window, WindowDepartment

__all__ = [
    "AccessLog",
    "CreditImport",
    "CreditRecord",
    "DepartmentSeal",
    "IdempotencyKey",
    "KeyFingerprint",
    "LetterEvent",
    "LetterRecord",
    "LoginTries",
    "NameGram",
    "NumberCounter",
    "Objection",
    "OutboxMessage",
    "Publication",
    "Share",
    "Staff",
    "StaffToken",
    "Upload",
    "Window",
    "WindowDepartment",
    "letters_listed",
]
