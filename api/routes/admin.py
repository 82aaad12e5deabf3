"""Administrators manage windows and staff accounts (the CLI does the same: chengnuo staff add)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Response, UploadFile
from pydantic import BaseModel, Field
from sqlmodel import select
from starlette.concurrency import run_in_threadpool

from api.deps import AdminDep, ServicesDep, SessionDep, WriteSessionDep
from api.errors import ErrorBody, not_found
from api.params import StaffTyped
from api.runtime import Services, write_session
from api.services.auth import (
    USERNAME_PATTERN,
    Role,
    accounts,
    add_staff,
    deactivate_staff,
    reset_password,
    set_up_window,
    window_of,
    windows_served,
)
from api.services.seals import seal_png, seals, store_seal
from api.store import DepartmentSeal, Staff, Window
from api.views import PRIVATE_HEADERS
from forms.countersign import MAX_SEAL_BYTES
from forms.public import examples

router = APIRouter(prefix="/api/admin", tags=["admin"])
ERRORS: dict[int | str, dict[str, object]] = {code: {"model": ErrorBody} for code in (401, 403, 404, 409, 413, 422)}
Username = Annotated[str, Field(min_length=2, max_length=64, pattern=USERNAME_PATTERN, examples=["clerk.sfj"])]


class WindowIn(BaseModel):
    name: Annotated[str, StaffTyped, Field(min_length=1, max_length=100, examples=["司法局窗口"])]
    departments: list[Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]{1,15}$")]] = Field(min_length=1, examples=[["SFJ"]])


class WindowOut(BaseModel):
    model_config = examples({"name": "司法局窗口", "departments": ["SFJ"]})

    name: str
    departments: list[str]


class StaffIn(BaseModel):
    model_config = examples(
        {"username": "clerk.sfj", "role": "window", "window": "司法局窗口", "display_name": "阿依古丽"},
        {"username": "credit.admin", "role": "admin", "display_name": "信用办"},
    )

    username: Username
    role: Role = Role.window
    window: Annotated[str, StaffTyped] | None = Field(
        default=None, max_length=100, description="the window's name, for a clerk"
    )
    display_name: Annotated[str, StaffTyped] = Field(default="", max_length=100)


STAFF_EXAMPLE = {
    "username": "clerk.sfj",
    "display_name": "阿依古丽",
    "role": "window",
    "window": "司法局窗口",
    "active": True,
    "must_change_password": True,
}


class StaffOut(BaseModel):
    model_config = examples(STAFF_EXAMPLE)

    username: str
    display_name: str
    role: str
    window: str | None
    active: bool
    must_change_password: bool


class NewAccount(StaffOut):
    model_config = examples({**STAFF_EXAMPLE, "one_time_password": "abcd-efgh-jkmn-pqrs"})

    one_time_password: str = Field(description="shown this once; it must be changed at first login")


@router.get("/windows", response_model=list[WindowOut], responses=ERRORS)
def list_windows(_: AdminDep, session: SessionDep) -> list[WindowOut]:
    return [WindowOut(name=w.name, departments=codes) for w, codes in windows_served(session)]


@router.post("/windows", response_model=WindowOut, status_code=201, responses=ERRORS)
def put_window(window: WindowIn, _: AdminDep, session: WriteSessionDep, services: ServicesDep) -> WindowOut:
    """Create a window, or add departments to it; the departments must be in the catalogue."""
    known = services.catalogue.departments.keys()
    return WindowOut(name=window.name, departments=set_up_window(session, window.name, window.departments, known=known))


@router.get("/staff", response_model=list[StaffOut], responses=ERRORS)
def list_staff(_: AdminDep, session: SessionDep) -> list[StaffOut]:
    return [_out(s, window) for s, window in accounts(session)]


@router.post("/staff", response_model=NewAccount, status_code=201, responses=ERRORS)
def create_staff(account: StaffIn, _: AdminDep, session: WriteSessionDep, services: ServicesDep) -> NewAccount:
    """A new account with a one-time password, returned this once."""
    password = services.passwords.one_time()  # before the transaction: no lock held while hashing
    window = None
    if account.window is not None:
        window = session.exec(select(Window).where(Window.name == account.window)).first()
        if window is None:
            raise not_found("window")
    staff = add_staff(session, account.username, role=account.role, password=password, window=window,
                      display_name=account.display_name)  # fmt: skip
    return NewAccount(**_out(staff, window.name if window else None).model_dump(), one_time_password=password.text)


UsernameInPath = Annotated[str, Path(max_length=64, pattern=USERNAME_PATTERN, examples=["clerk.sfj"])]


@router.post("/staff/{username}/deactivate", response_model=StaffOut, responses=ERRORS)
def deactivate(username: UsernameInPath, admin: AdminDep, session: WriteSessionDep) -> StaffOut:
    """The account can no longer log in, and its tokens stop working at once."""
    staff = deactivate_staff(session, username, by=admin)
    return _out(staff, window_of(session, staff))


@router.post("/staff/{username}/password", response_model=NewAccount, responses=ERRORS)
def reset_staff_password(
    username: UsernameInPath, admin: AdminDep, session: WriteSessionDep, services: ServicesDep
) -> NewAccount:
    """A new one-time password, returned this once, for someone who forgot theirs: it must be
    changed at the next login, and the account's tokens stop working at once. 409
    staff.self_reset for the administrator's own account (they change it proving the current one)."""
    password = services.passwords.one_time()  # before the transaction: no lock held while hashing
    staff = reset_password(session, username, by=admin, password=password, vault=services.vault)
    return NewAccount(**_out(staff, window_of(session, staff)).model_dump(), one_time_password=password.text)


def _out(staff: Staff, window: str | None) -> StaffOut:
    return StaffOut(
        username=staff.username,
        display_name=staff.display_name,
        role=staff.role,
        window=window,
        active=staff.active,
        must_change_password=staff.must_change_password,
    )


# Departments' seal images: drawn in the department's block when it countersigns a letter


class SealOut(BaseModel):
    model_config = examples(
        {
            "department": "SFJ",
            "sha256": "9f2c…",
            "width": 600,
            "height": 600,
            "uploaded_by": "staff:admin",
            "uploaded_at": "2026-12-06T08:00:00Z",
        }
    )

    department: str
    sha256: str
    width: int
    height: int
    uploaded_by: str
    uploaded_at: datetime


DepartmentCode = Annotated[str, Path(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$", max_length=32, examples=["SFJ"])]


@router.get("/seals", response_model=list[SealOut], responses=ERRORS)
def list_seals(_: AdminDep, session: SessionDep) -> list[SealOut]:
    """The departments with an uploaded seal image; the others countersign with a plain stamp of their name."""
    return [_seal_out(seal) for seal in seals(session)]


@router.post("/seals", response_model=SealOut, status_code=201, responses=ERRORS)
async def upload_seal(
    department: Annotated[str, Form(max_length=32, examples=["SFJ"])],
    file: Annotated[UploadFile, File(description=f"PNG, at most {MAX_SEAL_BYTES // 1024} kB, 100-2000 px a side")],
    admin: AdminDep,
    services: ServicesDep,
) -> SealOut:
    """The department's seal image, replacing the one before: letters accepted from now on show it.
    422 seal.department, seal.empty, seal.not_png, seal.too_large, seal.dimensions, seal.shape;
    413 when the request is far larger."""
    data = await file.read(MAX_SEAL_BYTES + 1)
    seal = await run_in_threadpool(_store_seal, services, department.strip().upper(), data, f"staff:{admin.username}")
    return _seal_out(seal)


@router.get("/seals/{department}", response_class=Response, responses={200: {"content": {"image/png": {}}}, **ERRORS})
def get_seal(department: DepartmentCode, _: AdminDep, session: SessionDep) -> Response:
    """The uploaded image as it is drawn; 404 when the department has none."""
    png = seal_png(session, department)
    if png is None:
        raise not_found("seal image")
    return Response(png, media_type="image/png", headers=PRIVATE_HEADERS)


def _store_seal(services: Services, code: str, data: bytes, by: str) -> DepartmentSeal:
    with write_session(services) as session:
        return store_seal(session, code, data, by=by, known=services.catalogue.departments.keys())


def _seal_out(seal: DepartmentSeal) -> SealOut:
    return SealOut(
        department=seal.department_code,
        sha256=seal.sha256,
        width=seal.width,
        height=seal.height,
        uploaded_by=seal.uploaded_by,
        uploaded_at=seal.uploaded_at,
    )
