"""The time that counts for letters: Beijing time, whatever the server's zone (often UTC)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "CST")


def now() -> datetime:
    return datetime.now(BEIJING)


def today() -> date:
    """Beijing's date: from 00:00 to 08:00 there it is already tomorrow in UTC terms."""
    return now().date()


def day_of(moment: datetime) -> date:
    """The Beijing date of a moment (stored and sent in UTC): signed at 07:30 there is that day, not
    the day before. A moment without a zone is taken as UTC, as the store keeps them."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(BEIJING).date()
