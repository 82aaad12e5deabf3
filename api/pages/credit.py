"""The dishonesty list's import page: upload, see what would change, then apply without uploading again.

The same import as the JSON API (/api/credit/imports): a dry run first; the file waits, encrypted,
for the administrator's "apply" (api/services/pending_imports.py). A file with any bad row is
refused whole, as the import itself refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.callers import Caller
from api.deps import ServicesDep
from api.errors import ApiError, not_found
from api.limits import read_upload
from api.pages.base import AdminClerkDep, PageRoute, page_lang, render
from api.params import RowIdPath
from api.runtime import Services, write_session
from api.services.credit import MAX_IMPORT, ImportReport, RowProblem, import_as, listed
from api.services.objections import credit_objections, outcome_chosen, resolve
from api.services.pending_imports import Kept
from api.services.repair import Repaired, record_repair
from api.store import Objection
from api.store.documents import Imports
from forms.i18n import Gettext, gettext_for
from forms.validation import DOCUMENT_NAMES, PERSON_DOCUMENTS, IdType
from forms.validation.reasons import MESSAGES, N_, Reason

router = APIRouter(route_class=PageRoute, include_in_schema=False)

SHOWN_PROBLEMS = 200  # a wrong file can have a problem on every line: the first ones say enough
# the first bytes of what people pick by mistake: Excel workbooks (xlsx, xls) and PDFs
NOT_TEXT = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF-")
COLUMNS = {
    "id_number": N_("证件号码"),
    "name": N_("姓名或名称"),
    "reason": N_("失信原因"),
    "listed_on": N_("列入日期"),
    "id_type": N_("证件类型"),
}
# The optional id_type column's values: every kind of document but the two a row without it is.
LISTED_KINDS = [(kind.value, DOCUMENT_NAMES[kind]) for kind in PERSON_DOCUMENTS if kind is not IdType.resident_id]
# What a row problem means, where the field's own message needs numbers the report does not carry.
PROBLEMS = {
    "encoding.not_utf8": N_("文件不是 UTF-8 编码。请在 Excel 中用“另存为 → CSV UTF-8（逗号分隔）”保存后再上传。"),
    "header.missing_columns": N_("第一行缺少这些列。第一行应为：id_number,name,reason,listed_on"),
    "csv.malformed": N_(
        "从这一行起文件不是有效的 CSV（引号没有成对，或有不可见的控制字符）。"
        "请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后再上传。"
    ),
    "id.length": N_("居民身份证号码和统一社会信用代码都应为 18 位。"),
    "name.length": N_("姓名或名称的长度不对。"),
}
ROW_PROBLEM = N_("这一项的内容不对。")


@dataclass(frozen=True)
class Problem:
    """A row problem as the page shows it."""

    line: int
    column: str  # the CSV's own heading, in the file's words
    label: str  # the column in the reader's language
    message: str


def problems(report: ImportReport, _: Gettext) -> list[Problem]:
    return [_problem(p, _) for p in report.problems[:SHOWN_PROBLEMS]]


def _problem(problem: RowProblem, _: Gettext) -> Problem:
    label = _(COLUMNS[problem.column]) if problem.column in COLUMNS else ""
    return Problem(problem.line, problem.column, label, _(_message_id(problem.reason)))


def _message_id(reason: str) -> str:
    if reason in PROBLEMS:
        return PROBLEMS[reason]
    try:
        message = MESSAGES[Reason(reason)]
    except ValueError:
        return ROW_PROBLEM
    return ROW_PROBLEM if "{" in message else message


def pending(services: Services) -> Imports:
    return services.documents.imports


@router.get("/credit")
async def credit_page(request: Request, admin: AdminClerkDep, services: ServicesDep) -> Response:
    return await _upload_form(request, admin, services, None)


@router.post("/credit")
async def preview(
    request: Request,
    admin: AdminClerkDep,
    services: ServicesDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Step 1: a dry run, and the file kept for step 2 when nothing in it is wrong."""
    username = _username(admin)
    try:
        data = await _received(file)
    except ApiError as error:
        return await _upload_form(request, admin, services, error)
    report = await run_in_threadpool(import_as, services, username, data, dry_run=True)
    kept: Kept | None = None
    if not report.problems:
        kept = await run_in_threadpool(lambda: pending(services).keep(data, owner=username))
    return _report(request, admin, "pages/credit_preview.html", report, kept=kept)


@router.post("/credit/apply")
async def apply(
    request: Request,
    admin: AdminClerkDep,
    services: ServicesDep,
    token: Annotated[str, Form(max_length=64)] = "",
    sha256: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Step 2: the kept file, imported for real (all or nothing); it is deleted here and then."""
    username = _username(admin)
    try:
        data = await run_in_threadpool(lambda: pending(services).take(token, owner=username, sha256=sha256))
    except ApiError as error:
        return await _upload_form(request, admin, services, error)
    report = await run_in_threadpool(import_as, services, username, data, dry_run=False)
    template = "pages/credit_result.html" if report.applied else "pages/credit_preview.html"
    return _report(request, admin, template, report, kept=None, sha256=sha256)


async def _received(file: UploadFile | None) -> bytes:
    """The upload's bytes: 422 when there are none, too many, or they are no text at all."""
    data = await read_upload(file, MAX_IMPORT) if file is not None else b""
    if not data.strip():
        raise ApiError(422, "upload.empty", "the file is empty")
    if data.startswith(NOT_TEXT) or b"\x00" in data[:4096]:
        raise ApiError(422, "upload.type", "the list is a CSV file: text, not a workbook or a PDF")
    return data


async def _upload_form(
    request: Request, admin: Caller, services: Services, error: ApiError | None, **done: Any
) -> Response:
    count, objections = await run_in_threadpool(_listed, services)
    status = error.status if error else 200
    shown: dict[str, Any] = {"repaired": None, "answered": False, **done}
    return render(
        request,
        "pages/credit.html",
        status=status,
        caller=admin,
        listed=count,
        error=error,
        kinds=LISTED_KINDS,
        objections=objections,
        **shown,
    )


def _listed(services: Services) -> tuple[int, list[Objection]]:
    with Session(services.engine) as session:
        return listed(session), credit_objections(session)


@router.post("/credit/repair")
async def repair(
    request: Request,
    admin: AdminClerkDep,
    services: ServicesDep,
    id_number: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """The credit office records a repair: the subject leaves the list, its publications come down."""
    actor = f"staff:{_username(admin)}"

    def record() -> Repaired:
        with write_session(services) as session:
            return record_repair(session, services.vault, id_number, None, reason=reason, actor=actor)

    try:
        done = await run_in_threadpool(record)
    except ApiError as error:
        return await _upload_form(request, admin, services, error)
    return await _upload_form(request, admin, services, None, repaired=done)


@router.post("/credit/objections/{objection_id}/resolve")
async def resolve_objection(
    request: Request,
    objection_id: RowIdPath,
    admin: AdminClerkDep,
    services: ServicesDep,
    outcome: Annotated[str, Form(max_length=16)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """The answer to an objection against a credit refusal; upheld lifts the records that refused."""
    actor = f"staff:{_username(admin)}"

    def answer() -> None:
        decided = outcome_chosen(outcome)
        with write_session(services) as session:
            objection = session.get(Objection, objection_id)
            if objection is None or objection.letter_id is not None:
                raise not_found("objection")
            resolve(session, objection, None, outcome=decided, reason=reason, actor=actor)

    try:
        await run_in_threadpool(answer)
    except ApiError as error:
        return await _upload_form(request, admin, services, error)
    return await _upload_form(request, admin, services, None, answered=True)


def _report(
    request: Request, admin: Caller, template: str, report: ImportReport, *, kept: Kept | None, sha256: str = ""
) -> Response:
    """A file with problems is refused (422), with each line's problem and the upload form again."""
    _ = gettext_for(page_lang(request))
    return render(
        request,
        template,
        status=422 if report.problems else 200,
        caller=admin,
        report=report,
        problems=problems(report, _),
        hidden_problems=max(0, len(report.problems) - SHOWN_PROBLEMS),
        kept=kept,
        sha256=kept.sha256 if kept else sha256,
        listed=None,
        error=None,
    )


def _username(admin: Caller) -> str:
    assert admin.staff is not None
    return admin.staff.username
