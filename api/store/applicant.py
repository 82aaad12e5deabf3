"""What an applicant hands in after signing: files (authorisations, supplements) and objections."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from api.store.types import UTCDateTime
from forms.channels import USER_MAX


class Upload(SQLModel, table=True):
    """A file the bot received; its bytes live encrypted in the document store (api.store.documents)."""

    __tablename__ = "uploads"
    __table_args__ = (Index("ix_uploads_channel_user", "channel", "channel_user"),)

    id: str = Field(primary_key=True, max_length=40)  # "up_<random>": the bot may show it, nobody can guess it
    channel: str = Field(max_length=16)  # with channel_user: who sent it, the only one who can attach it
    channel_user: str = Field(max_length=USER_MAX)
    purpose: str = Field(max_length=16)  # authorisation, supplement
    media_type: str = Field(max_length=32)
    size: int
    sha256: str = Field(max_length=64)  # of the file as received, before encryption
    # set once, when a letter takes the file; an upload never moves to another letter
    letter_id: int | None = Field(default=None, foreign_key="letters.id", index=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Objection(SQLModel, table=True):
    """An applicant's objection (异议): to what was published about their letter, or, with no
    letter, to the credit record that refused them the commitment route (seed 002 三(三))."""

    __tablename__ = "objections"

    id: int | None = Field(default=None, primary_key=True)
    letter_id: int | None = Field(default=None, foreign_key="letters.id", index=True)
    # a credit refusal's: the keyed hash and masked form of the number that was refused
    subject_hash: str | None = Field(default=None, index=True, max_length=64)
    subject_masked: str | None = Field(default=None, max_length=40)
    language: str | None = Field(default=None, max_length=8)  # the applicant's, when there is no letter
    channel: str = Field(max_length=16)
    channel_user: str = Field(max_length=USER_MAX)
    text: str = Field(max_length=1000)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    resolution: str | None = Field(default=None, max_length=500)
    outcome: str | None = Field(default=None, max_length=16)  # forms.objections.Outcome
    resolved_by: str | None = Field(default=None, max_length=100)
