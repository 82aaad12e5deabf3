"""The public verify page: anyone checks a letter by the number and code printed on it (its QR
code opens /verify/{number}?code=…) or by uploading its PDF.

No session and no personal data; the rules are api/services/verification.py's, as for the JSON API.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep
from api.errors import ApiError
from api.pages.base import PageRoute, form_token_sent, render, render_form, see_other
from api.runtime import Services
from api.services.verification import MAX_UPLOAD, NotALetter, Verification, by_code, by_seal, read_seal
from forms.seal import SealCheck, Verdict
from forms.statuses import IN_FORCE, Status
from forms.validation import MESSAGES, Invalid, parse_letter_number, parse_verify_code
from forms.validation.printed import TYPED_MAX
from forms.validation.reasons import N_

router = APIRouter(route_class=PageRoute, include_in_schema=False)
FORM_PATH = "/verify"  # the upload form's token cookie covers /verify and every /verify/{number}

# Why a check shows no letter, as the person checking reads it.
NOT_FOUND = N_("没有找到这个编号和核验码的承诺书。请核对承诺书上印的编号和核验码。")
NO_FILE = N_("请选择承诺书的 PDF 文件。")
EMPTY_FILE = N_("文件是空的。")
TOO_LARGE = N_("文件太大：承诺书的 PDF 文件不会超过 10 MB。")
EXPIRED = N_("页面已过期，请重新选择文件再上传。")
NO_SUCH_LETTER = N_("平台上没有这个文件所写编号的承诺书。")
NOT_A_LETTER = {
    Verdict.not_pdf: N_("这不是 PDF 文件。请上传承诺书的 PDF 文件。"),
    Verdict.unsigned: N_("这个文件没有电子印章，不是本平台出具的承诺书。"),
    Verdict.not_ours: N_("这个文件的印章不是本平台的，不是本平台出具的承诺书。"),
    Verdict.altered: N_("这个文件已损坏，或在盖章后被改动过，无法查验。"),
}
NOT_OURS = N_("这个文件不是本平台出具的承诺书。")

# An uploaded PDF's seal, in words for a lay person: only an intact seal of ours shows a result.
SEALS = {Verdict.intact: N_("印章有效，文件在盖章后没有被改动。")}
# What a status means to whoever relies on the letter: a bank, another authority.
MEANINGS: dict[Status, str] = {
    Status.signed: N_("申请人已签署承诺书，办理部门尚未受理。"),
    Status.accepted: N_("办理部门已受理，承诺书有效。"),
    Status.awaiting_supplement: N_("已容缺受理，申请人须在期限内补交材料；承诺书有效。"),
    Status.supplemented: N_("申请人已补交材料，承诺书有效。"),
    Status.completed: N_("事项已办结，承诺书有效。"),
    Status.kept: N_("经核查，申请人履行了承诺，承诺书有效。"),
    Status.overdue_terminated: N_("申请人逾期未补交材料，办理已终止，承诺书不再有效。"),
    Status.broken: N_("经核查，承诺内容不实，已记入信用记录；承诺书不再有效。"),
    Status.repaired: N_("曾经承诺不实，申请人已完成信用修复；承诺书不再有效。"),
    Status.withdrawn: N_("申请人已撤回承诺书，承诺书不再有效。"),
    Status.superseded: N_("已被新的承诺书取代，请以新承诺书为准；这份不再有效。"),
    Status.expired: N_("已过有效期，承诺书不再有效。"),
    Status.refused: N_("办理部门不予受理，承诺书不再有效。"),
    Status.rectification_due: N_("经核查，申请人须在期限内整改；承诺书仍然有效。"),
    Status.revoked: N_("依据这份承诺书作出的决定因承诺不实已被撤销；承诺书不再有效。"),
}


@router.get("/verify")
async def verify_form(request: Request, number: str = "", code: str = "") -> Response:
    """Both forms; the number-and-code form comes back here by GET and goes on to the QR's address."""
    if not number.strip() and not code.strip():
        return _form(request)
    number, code, problem = _as_printed(number, code)
    if problem:
        return _form(request, number=number, code=code, code_problem=problem, status=422)
    return see_other(f"/verify/{quote(number)}?code={quote(code)}")


@router.get("/verify/{number}")
async def verify_by_code(request: Request, services: ServicesDep, number: str, code: str = "") -> Response:
    """The address the QR code on every letter encodes: the result at once."""
    if not code.strip():  # an address without its code: ask for it
        number, problem = _number_as_printed(number)
        return _form(request, number=number, code_problem=problem, status=422 if problem else 200)
    number, code, problem = _as_printed(number, code)
    if problem:
        return _form(request, number=number, code=code, code_problem=problem, status=422)
    try:
        result = await run_in_threadpool(_by_code, services, number, code)
    except ApiError as error:
        if error.code != "not_found":
            raise
        return _form(request, number=number, code=code, code_problem=NOT_FOUND, status=404)
    return _result(request, result)


@router.post("/verify")
async def verify_upload(
    request: Request,
    services: ServicesDep,
    file: Annotated[UploadFile | None, File()] = None,
    form_token: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """The seal's verdict on an uploaded PDF and the status of the letter it names."""
    # without a session, a double-submitted token: another site cannot post files from a visitor's browser
    if not form_token_sent(request, form_token):
        return _form(request, file_problem=EXPIRED, status=403)
    if file is None or not file.filename:
        return _form(request, file_problem=NO_FILE, status=422)
    data = await file.read(MAX_UPLOAD + 1)
    if not data:
        return _form(request, file_problem=EMPTY_FILE, status=422)
    try:
        check = await read_seal(services.sealer, data)
        result = await run_in_threadpool(_by_seal, services, check, data)
    except NotALetter as refusal:
        return _form(request, file_problem=NOT_A_LETTER.get(refusal.verdict, NOT_OURS), status=refusal.status)
    except ApiError as error:
        problems = {"upload.too_large": TOO_LARGE, "not_found": NO_SUCH_LETTER}
        if error.code not in problems:
            raise
        return _form(request, file_problem=problems[error.code], status=error.status)
    return _result(request, result)


def _by_code(services: Services, number: str, code: str) -> Verification:
    with Session(services.engine) as session:
        return by_code(session, services.pdfs, number, code)


def _by_seal(services: Services, check: SealCheck, data: bytes) -> Verification:
    with Session(services.engine) as session:
        return by_seal(session, check, data)


def _as_printed(number: str, code: str) -> tuple[str, str, str | None]:
    """The number and code as printed, however typed or pasted (forms.validation.printed), or as
    typed with why not: a mistyped one is said so, a 404 would send people looking for a letter."""
    number, problem = _number_as_printed(number)
    if problem:
        return number, code[:TYPED_MAX], problem
    try:
        return number, parse_verify_code(code), None
    except Invalid as error:
        return number, code[:TYPED_MAX], MESSAGES[error.reason]


def _number_as_printed(number: str) -> tuple[str, str | None]:
    try:
        return parse_letter_number(number), None
    except Invalid as error:
        return number[:TYPED_MAX], MESSAGES[error.reason]


def _form(
    request: Request,
    *,
    number: str = "",
    code: str = "",
    code_problem: str | None = None,
    file_problem: str | None = None,
    status: int = 200,
) -> Response:
    """Both forms, with what was typed and why it found nothing; a fresh token for the upload."""
    return render_form(
        request,
        "pages/verify.html",
        path=FORM_PATH,
        status=status,
        number=number,
        code=code,
        code_problem=code_problem,
        file_problem=file_problem,
    )


def _result(request: Request, result: Verification) -> Response:
    in_force = result.status in IN_FORCE
    return render(
        request,
        "pages/verify_result.html",
        result=result,
        in_force=in_force,
        meaning=MEANINGS.get(result.status),
        seal_words=SEALS.get(result.seal) if result.seal else None,
    )
