"""Fingerprints of the keys the data was first used with (api/keys.py checks them at start)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from api.store.types import UTCDateTime


class KeyFingerprint(SQLModel, table=True):
    """One row per key: recorded by the first instance that starts, compared by every other."""

    __tablename__ = "key_fingerprints"

    name: str = Field(primary_key=True, max_length=32)  # "personal-data", "session", "service-token", "seal"
    fingerprint: str = Field(max_length=64)  # hex; never the key itself
    recorded_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
