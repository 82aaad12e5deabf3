"""Links handed to an applicant on a channel without files or Mini Apps (WeChat): a letter's PDF,
a preview's PDF, the drawn-signature page. The token itself is never stored, only its SHA-256."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from api.store.types import UTCDateTime


class Share(SQLModel, table=True):
    """One link: what it opens, for whom, until when; removed by the sweep once it has ended."""

    __tablename__ = "shares"

    id: int | None = Field(default=None, primary_key=True)
    token_sha256: str = Field(unique=True, max_length=64)
    purpose: str = Field(max_length=16)  # letter, preview, signature (api.services.shares.Purpose)
    letter_number: str | None = Field(default=None, max_length=32)  # a letter link's letter
    content_hash: str | None = Field(default=None, max_length=64)  # the letter a signature link signs
    language: str = Field(max_length=8)  # the page's language unless the reader chooses another
    # a preview's PDF, encrypted (it shows the personal numbers): kept in the row, so that it goes with it
    pdf: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    # who the link was made for (a preview's draft names no one: None)
    channel: str | None = Field(default=None, max_length=16)
    channel_user: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
