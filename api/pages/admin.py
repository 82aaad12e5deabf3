"""Administrators' pages: the windows and the departments they serve, the staff accounts, and the
departments' seal images.

The same service functions as the JSON API (/api/admin); a window clerk gets "no permission".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Path, Request, Response, UploadFile
from fastapi.responses import HTMLResponse
from sqlmodel import Session, select
from starlette.concurrency import run_in_threadpool

from api.callers import Caller
from api.deps import ServicesDep
from api.errors import ApiError, not_found
from api.pages.base import AdminClerkDep, PageRoute, render, see_other
from api.runtime import Services, write_session
from api.services.auth import (
    USERNAME_PATTERN,
    Role,
    StaffMember,
    accounts,
    add_staff,
    deactivate_staff,
    reset_password,
    set_up_window,
    window_of,
    windows_served,
)
from api.services.seals import seals, store_seal
from api.store import DepartmentSeal, Staff, Window
from forms.countersign import MAX_SEAL_BYTES, MAX_SEAL_SIDE, MIN_SEAL_SIDE
from forms.validation.normalize import normalize_text

router = APIRouter(route_class=PageRoute, include_in_schema=False)

USERNAME = re.compile(USERNAME_PATTERN)  # as the JSON API's StaffIn
Text = Annotated[str, Form(max_length=1000)]  # longer than allowed: told in words, not refused bare


UsernameInPath = Annotated[str, Path(max_length=64, pattern=USERNAME_PATTERN)]


def _admin(caller: Caller) -> StaffMember:
    assert caller.staff is not None
    return caller.staff


def _page(request: Request, template: str, admin: Caller, *, status: int = 200, **context: Any) -> HTMLResponse:
    return render(request, template, status=status, caller=admin, **context)


# Windows


@dataclass
class WindowForm:
    name: str = ""
    departments: list[str] = field(default_factory=list)


@router.get("/admin/windows")
async def windows_page(request: Request, admin: AdminClerkDep, services: ServicesDep, saved: bool = False) -> Response:
    return await _windows(request, admin, services, WindowForm(), None, saved=saved)


@router.post("/admin/windows")
async def save_window(
    request: Request,
    admin: AdminClerkDep,
    services: ServicesDep,
    name: Text = "",
    departments: Annotated[list[str], Form(max_length=50)] = [],  # noqa: B006 (FastAPI copies defaults)
) -> Response:
    """Create a window or add departments to one: the JSON API takes none away, nor does this."""
    form = WindowForm(normalize_text(name), departments)
    try:
        if not form.name or len(form.name) > 100:
            raise ApiError(422, "window.name_required", "a window has a name of at most 100 characters")
        if not form.departments:
            raise ApiError(422, "window.departments_required", "a window serves at least one department")
        await run_in_threadpool(_set_up_window, services, form)
    except ApiError as error:
        return await _windows(request, admin, services, form, error)
    return see_other("/admin/windows?saved=true")


async def _windows(
    request: Request, admin: Caller, services: Services, form: WindowForm, error: ApiError | None, saved: bool = False
) -> Response:
    windows = await run_in_threadpool(_windows_served, services)
    return _page(
        request,
        "pages/admin_windows.html",
        admin,
        status=error.status if error else 200,
        windows=windows,
        departments=list(services.catalogue.departments),
        form=form,
        error=error,
        saved=saved,
    )


def _windows_served(services: Services) -> list[tuple[Window, list[str]]]:
    with Session(services.engine) as session:
        return windows_served(session)


def _set_up_window(services: Services, form: WindowForm) -> None:
    with write_session(services) as session:
        set_up_window(session, form.name, form.departments, known=services.catalogue.departments.keys())


# Staff accounts


@dataclass
class StaffForm:
    username: str = ""
    display_name: str = ""
    role: str = Role.window.value
    window: str = ""


@router.get("/admin/staff")
async def staff_page(request: Request, admin: AdminClerkDep, services: ServicesDep) -> Response:
    return await _staff(request, admin, services, StaffForm(), None)


@router.post("/admin/staff")
async def add_account(
    request: Request,
    admin: AdminClerkDep,
    services: ServicesDep,
    username: Text = "",
    display_name: Text = "",
    role: Annotated[str, Form(max_length=16)] = Role.window.value,
    window: Text = "",
) -> Response:
    form = StaffForm(username.strip(), normalize_text(display_name), role, normalize_text(window))
    try:
        if not USERNAME.match(form.username):
            raise ApiError(422, "staff.username", "2 to 64 letters, digits, '.', '_' or '-'")
        if len(form.display_name) > 100:
            raise ApiError(422, "staff.display_name", "a name of at most 100 characters")
        if form.role not in {r.value for r in Role}:
            raise ApiError(422, "invalid_request", "the role is window or admin")
        staff, window_name, password = await run_in_threadpool(_add_account, services, form)
    except ApiError as error:
        return await _staff(request, admin, services, form, error)
    return _page(
        request,
        "pages/admin_password.html",
        admin,
        status=201,
        account=staff,
        window=window_name,
        password=password,
        reset=False,
    )


async def _staff(
    request: Request, admin: Caller, services: Services, form: StaffForm, error: ApiError | None
) -> Response:
    staff, windows = await run_in_threadpool(_accounts, services)
    return _page(
        request,
        "pages/admin_staff.html",
        admin,
        status=error.status if error else 200,
        accounts=staff,
        windows=windows,
        form=form,
        error=error,
    )


def _accounts(services: Services) -> tuple[list[tuple[Staff, str | None]], list[str]]:
    with Session(services.engine) as session:
        return accounts(session), [w.name for w, _ in windows_served(session)]


def _add_account(services: Services, form: StaffForm) -> tuple[Staff, str | None, str]:
    role = Role(form.role)
    password = services.passwords.one_time()  # before the transaction: no lock held while hashing
    with write_session(services) as session:
        place = None
        if role is Role.window and form.window:  # an administrator sees every department: no window
            place = session.exec(select(Window).where(Window.name == form.window)).first()
            if place is None:
                raise not_found("window")
        staff = add_staff(
            session, form.username, role=role, password=password, window=place, display_name=form.display_name
        )
        return staff, place.name if place else None, password.text


@router.get("/admin/staff/{username}")
async def account_page(
    request: Request, admin: AdminClerkDep, services: ServicesDep, username: UsernameInPath
) -> Response:
    """One account, and what an administrator may do to it: the confirmation step of each."""
    return await _account(request, admin, services, username, None)


async def _account(
    request: Request, admin: Caller, services: Services, username: str, error: ApiError | None
) -> Response:
    staff, window = await run_in_threadpool(_one_account, services, username)
    status = error.status if error else 200
    return _page(request, "pages/admin_account.html", admin, status=status, account=staff, window=window, error=error)


def _one_account(services: Services, username: str) -> tuple[Staff, str | None]:
    with Session(services.engine) as session:
        staff = session.exec(select(Staff).where(Staff.username == username)).first()
        if staff is None:
            raise not_found("account")
        return staff, window_of(session, staff)


@router.post("/admin/staff/{username}/deactivate")
async def deactivate(
    request: Request, admin: AdminClerkDep, services: ServicesDep, username: UsernameInPath
) -> Response:
    try:
        await run_in_threadpool(_deactivate, services, username, _admin(admin))
    except ApiError as error:
        return await _account(request, admin, services, username, error)
    return see_other(f"/admin/staff/{quote(username)}")


def _deactivate(services: Services, username: str, by: StaffMember) -> None:
    with write_session(services) as session:
        deactivate_staff(session, username, by=by)


@router.post("/admin/staff/{username}/password")
async def reset(request: Request, admin: AdminClerkDep, services: ServicesDep, username: UsernameInPath) -> Response:
    """A new one-time password, shown once; the person's sessions end."""
    try:
        staff, window, password = await run_in_threadpool(_reset, services, username, _admin(admin))
    except ApiError as error:
        return await _account(request, admin, services, username, error)
    return _page(
        request, "pages/admin_password.html", admin, account=staff, window=window, password=password, reset=True
    )


def _reset(services: Services, username: str, by: StaffMember) -> tuple[Staff, str | None, str]:
    password = services.passwords.one_time()  # before the transaction: no lock held while hashing
    with write_session(services) as session:
        staff = reset_password(session, username, by=by, password=password, vault=services.vault)
        return staff, window_of(session, staff), password.text


# Departments' seal images


@router.get("/admin/seals")
async def seals_page(request: Request, admin: AdminClerkDep, services: ServicesDep, saved: str = "") -> Response:
    return await _seals(request, admin, services, None, saved=saved)


@router.post("/admin/seals")
async def upload_seal(
    request: Request,
    admin: AdminClerkDep,
    services: ServicesDep,
    department: Annotated[str, Form(max_length=32)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """A department's seal image, checked (a PNG, its size and dimensions); a refusal says why."""
    data = await file.read(MAX_SEAL_BYTES + 1) if file is not None and file.filename else b""
    try:
        seal = await run_in_threadpool(_store_seal, services, department.strip(), data, _admin(admin))
    except ApiError as error:
        return await _seals(request, admin, services, error, department=department)
    return see_other(f"/admin/seals?saved={quote(seal.department_code)}")


async def _seals(
    request: Request, admin: Caller, services: Services, error: ApiError | None, saved: str = "", department: str = ""
) -> Response:
    uploaded = await run_in_threadpool(_uploaded_seals, services)
    return _page(
        request,
        "pages/admin_seals.html",
        admin,
        status=error.status if error else 200,
        seals={seal.department_code: seal for seal in uploaded},
        departments=list(services.catalogue.departments),
        chosen=department,
        saved=saved if saved in services.catalogue.departments else "",
        error=error,
        max_kb=MAX_SEAL_BYTES // 1024,
        min_side=MIN_SEAL_SIDE,
        max_side=MAX_SEAL_SIDE,
    )


def _uploaded_seals(services: Services) -> list[DepartmentSeal]:
    with Session(services.engine) as session:
        return seals(session)


def _store_seal(services: Services, code: str, data: bytes, by: StaffMember) -> DepartmentSeal:
    with write_session(services) as session:
        known = services.catalogue.departments.keys()
        return store_seal(session, code, data, by=f"staff:{by.username}", known=known)
