"""Departments' seal images: an administrator uploads one PNG per department; the countersignature
draws it (api/services/countersign.py). A row of the store, so every instance draws the same."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.errors import ApiError
from api.store import DepartmentSeal
from forms import clock
from forms.countersign import BadSealImage, check_seal_image


def store_seal(session: Session, code: str, data: bytes, *, by: str, known: Iterable[str]) -> DepartmentSeal:
    """Check the image and keep it as the department's seal, replacing the one before (commits).
    422 seal.department, seal.empty, seal.not_png, seal.too_large, seal.dimensions, seal.shape."""
    if code not in set(known):
        raise ApiError(422, "seal.department", f"no department {code!r} in the catalogue")
    if not data:
        raise ApiError(422, "seal.empty", "the file is empty")
    try:
        image = check_seal_image(data)
    except BadSealImage as bad:
        raise ApiError(422, bad.code, str(bad), [bad.limits] if bad.limits else None) from None
    seal = session.get(DepartmentSeal, code) or DepartmentSeal(
        department_code=code, png=b"", sha256="", width=0, height=0, uploaded_by="", uploaded_at=clock.now()
    )
    seal.png, seal.sha256 = image.png, hashlib.sha256(image.png).hexdigest()
    seal.width, seal.height = image.width, image.height
    seal.uploaded_by, seal.uploaded_at = by[:64], clock.now()
    session.add(seal)
    try:
        session.commit()
    except IntegrityError:  # another administrator's first upload for it, at the same moment: ours replaces it
        session.rollback()
        return store_seal(session, code, data, by=by, known=known)
    session.refresh(seal)
    return seal


def seals(session: Session) -> list[DepartmentSeal]:
    """Every uploaded seal, by department."""
    return list(session.exec(select(DepartmentSeal).order_by(col(DepartmentSeal.department_code))))


def seal_png(session: Session, code: str) -> bytes | None:
    seal = session.get(DepartmentSeal, code)
    return seal.png if seal is not None else None
