"""Each department's seal image, uploaded by an administrator: a row, so every instance draws it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from api.store.types import UTCDateTime


class DepartmentSeal(SQLModel, table=True):
    """The PNG drawn in the department's signature block when it countersigns (forms/countersign.py)."""

    __tablename__ = "department_seals"

    department_code: str = Field(primary_key=True, max_length=32)
    png: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # checked: forms.countersign.check_seal_image
    sha256: str = Field(max_length=64)
    width: int
    height: int
    uploaded_by: str = Field(max_length=64)
    uploaded_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
