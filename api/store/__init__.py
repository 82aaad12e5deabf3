"""The store: tables, engine and migrations. The API is its only writer."""

from api.store.letters import IdempotencyKey, LetterEvent, LetterRecord, NumberCounter, OutboxMessage
from api.store.staff import AccessLog, Staff, StaffToken, Window, WindowDepartment

__all__ = [
    "AccessLog",
    "IdempotencyKey",
    "LetterEvent",
    "LetterRecord",
    "NumberCounter",
    "OutboxMessage",
    "Staff",
    "StaffToken",
    "Window",
    "WindowDepartment",
]
