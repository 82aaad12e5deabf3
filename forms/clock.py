"""The time that counts for letters: Beijing time, whatever the server's zone (often UTC)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "CST")


def now() -> datetime:
    return datetime.now(BEIJING)


def today() -> date:
    """Beijing's date: from 00:00 to 08:00 there it is already tomorrow in UTC terms."""
    return now().date()
