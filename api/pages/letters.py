"""Finding letters and working on one: its answers, files, moves, notices, seal and print view."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from pydantic import ValidationError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.callers import Caller
from api.deps import ServicesDep
from api.errors import ApiError, not_found
from api.pages.base import ClerkDep, PageRoute, page_lang, render, see_other
from api.params import RowIdPath
from api.runtime import Services, write_session
from api.services.countersign import Countersigning
from api.services.dossier import Dossier, SealState, dossier, reveal, seal_state
from api.services.finding import LetterQuery, load_letter, search_for
from api.services.objections import outcome_chosen, resolve
from api.services.pdfs import ensure_pdf
from api.services.transitions import REASON_REQUIRED, move
from api.store import LetterRecord, Objection
from api.views import LetterPage
from forms.credit import CreditVerdict
from forms.i18n import gettext_for
from forms.objections import Outcome
from forms.render.view import LetterView
from forms.sanctions import Sanction
from forms.statuses import Actor, Status
from forms.validation import Invalid, any_document_number, mask_id, parse_letter_number

router = APIRouter(route_class=PageRoute, include_in_schema=False)
FILTERS = ("number", "id_number", "name", "item", "department", "status", "signed_from", "signed_to", "page")
PER_PAGE = 20


@router.get("/letters")
async def search_page(request: Request, clerk: ClerkDep, services: ServicesDep) -> Response:
    """The filters as typed stay in the form; one box on the dashboard finds by number, ID or name."""
    typed = {k: v.strip() for k, v in request.query_params.items() if k in (*FILTERS, "q") and v.strip()}
    quick = typed.pop("q", "")
    if quick:
        typed[_quick_filter(quick)] = quick
    error: ApiError | None = None
    found: LetterPage | None = None
    try:
        query = LetterQuery.model_validate({**typed, "per_page": PER_PAGE})
    except ValidationError:
        error = ApiError(422, "search.invalid", "a filter does not have the expected form")
    else:
        try:
            found = await run_in_threadpool(search_for, services, query, clerk)
        except ApiError as refused:
            error = refused
    if found is not None and query.number and found.total == 1:
        return see_other(f"/letters/{found.items[0].number}")  # a number names one letter: open it
    status = error.status if error else 200
    return render(request, "pages/search.html", status=status, caller=clerk, typed=typed, found=found, error=error)


def _quick_filter(typed: str) -> str:
    """A letter number, the number of an identity document or a credit code, or else part of a name."""
    try:
        parse_letter_number(typed)
        return "number"
    except Invalid:
        pass
    try:
        any_document_number(typed)
    except Invalid:
        return "name"
    return "id_number"


def _as_printed(number: str) -> str:
    """A letter number from an address, however typed or pasted; as it came when it is none (no letter has it)."""
    try:
        return parse_letter_number(number)
    except Invalid:
        return number


@router.get("/letters/{number}")
async def letter_page(request: Request, number: str, clerk: ClerkDep, services: ServicesDep) -> Response:
    if _as_printed(number) != number:  # a pasted or hand-typed address: the letter's own
        return see_other(f"/letters/{_as_printed(number)}")
    return await _letter_page(request, clerk, services, number)


@router.post("/letters/{number}/move")
async def move_letter(
    request: Request,
    number: str,
    clerk: ClerkDep,
    services: ServicesDep,
    to: Annotated[Status, Form()],
    reason: Annotated[str, Form(max_length=500)] = "",
    rectify_within: Annotated[str, Form(max_length=8)] = "",
    sanction: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """One button per legal move, with the fields its move takes (限期整改: working days; 撤销: the
    sanction); a refusal (moved meanwhile, no reason, no deadline) shows the letter again."""
    number = _as_printed(number)
    typed = {"rectify_within": rectify_within, "sanction": sanction}
    try:
        extras = _extras(rectify_within, sanction)
        await run_in_threadpool(_move, services, clerk, number, to, reason, extras)
    except ApiError as error:
        return await _letter_page(request, clerk, services, number, error=error, reason=reason, tried=to, typed=typed)
    return see_other(f"/letters/{number}?moved={to.value}")


def _extras(rectify_within: str, sanction: str) -> dict[str, Any]:
    """The form's text as the move takes it; empty fields are absent, and move() says what is missing."""
    extras: dict[str, Any] = {"rectify_within": None, "sanction": None}
    if rectify_within.strip():
        try:
            extras["rectify_within"] = int(rectify_within.strip())
        except ValueError:
            raise ApiError(422, "transition.deadline_range", "the working days are a whole number") from None
    if sanction.strip():
        try:
            extras["sanction"] = Sanction(sanction.strip())
        except ValueError:
            raise ApiError(422, "transition.sanction_required", "no such sanction") from None
    return extras


def _move(services: Services, clerk: Caller, number: str, to: Status, reason: str, extras: dict[str, Any]) -> None:
    with write_session(services) as session:
        record = load_letter(session, number, clerk)
        countersigning = Countersigning.of(services)
        move(session, record, to, actor=Actor.window, actor_name=clerk.actor, reason=reason,
             countersigning=countersigning, **extras)  # fmt: skip


@router.post("/letters/{number}/objections/{objection_id}/resolve")
async def resolve_objection(
    request: Request,
    number: str,
    objection_id: RowIdPath,
    clerk: ClerkDep,
    services: ServicesDep,
    outcome: Annotated[str, Form(max_length=16)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Upheld or rejected, with the reason the applicant reads; the letter again, or its refusal."""
    number = _as_printed(number)
    try:
        decided = outcome_chosen(outcome)
        await run_in_threadpool(_resolve, services, clerk, number, objection_id, decided, reason)
    except ApiError as error:
        return await _letter_page(request, clerk, services, number, error=error)
    return see_other(f"/letters/{number}?answered={objection_id}#objections")


def _resolve(services: Services, clerk: Caller, number: str, objection_id: int, outcome: Outcome, reason: str) -> None:
    with write_session(services) as session:
        record = load_letter(session, number, clerk)
        objection = session.get(Objection, objection_id)
        if objection is None or objection.letter_id != record.id:
            raise not_found("objection")
        resolve(session, objection, record, outcome=outcome, reason=reason, actor=clerk.actor)


@router.post("/letters/{number}/reveal")
async def reveal_numbers(request: Request, number: str, clerk: ClerkDep, services: ServicesDep) -> Response:
    """The numbers in full on this one answer (never in an address), written to the access log."""
    number = _as_printed(number)
    revealed = await run_in_threadpool(_reveal, services, clerk, number)
    return await _letter_page(request, clerk, services, number, revealed=revealed)


def _reveal(services: Services, clerk: Caller, number: str) -> tuple[str, str]:
    assert clerk.staff is not None
    with write_session(services) as session:
        return reveal(session, services.vault, load_letter(session, number, clerk), clerk.staff.id)


@router.get("/letters/{number}/print")
async def print_view(request: Request, number: str, clerk: ClerkDep, services: ServicesDep) -> Response:
    found = await run_in_threadpool(_dossier, services, clerk, _as_printed(number))
    view = LetterView(found.letter, found.item, page_lang(request), gettext_for(page_lang(request)))
    return render(request, "pages/letter_print.html", caller=clerk, d=found, view=view)


async def _letter_page(
    request: Request, clerk: Caller, services: Services, number: str, status: int | None = None, **context: Any
) -> Response:
    found = await run_in_threadpool(_dossier, services, clerk, number)
    lang = page_lang(request)
    error = context.get("error")
    return render(
        request,
        "pages/letter.html",
        status=status or (error.status if error else 200),
        caller=clerk,
        d=found,
        view=LetterView(found.letter, found.item, lang, gettext_for(lang)),
        applicant_lang=found.letter.language,  # the applicant's own words are in it: lang= for a screen reader
        credit=_credit(found.record),
        agent_id=mask_id(found.letter.agent.id_number) if found.letter.agent else None,
        seal=await _seal(services, found),
        reason_required={s.value for s in REASON_REQUIRED},
        moved=request.query_params.get("moved"),
        answered=request.query_params.get("answered"),
        **{"error": None, "revealed": None, "reason": "", "tried": None, "typed": {}, **context},
    )


def _credit(record: LetterRecord) -> CreditVerdict | None:
    """The credit check as it stood at signing; None for a letter stored before it was kept."""
    return CreditVerdict.model_validate_json(record.credit_verdict) if record.credit_verdict else None


def _dossier(services: Services, clerk: Caller, number: str) -> Dossier:
    with Session(services.engine, expire_on_commit=False) as session:
        return dossier(session, services.vault, load_letter(session, number, clerk))


async def _seal(services: Services, found: Dossier) -> SealState | None:
    """None when the PDF cannot be made just now: the page still serves the clerk."""
    try:
        pdf = await ensure_pdf(services, found.record)
    except Exception:  # the PDF route logs and reports this; here the page goes on without it
        return None
    return await run_in_threadpool(seal_state, services.sealer, found.record, pdf)
