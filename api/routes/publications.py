"""归集公示: public letters and dishonesty records due for publication or taking down; export; marking."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field, model_validator
from sqlmodel import Session

from api.deps import ServicesDep, SessionDep, StaffDep, WriteSessionDep
from api.errors import ErrorBody
from api.services.publications import (
    PublicationKind,
    PublicationState,
    UnifiedRecord,
    as_csv,
    as_national_csv,
    find,
    mark,
    unified,
)
from forms import clock
from forms.public import examples

router = APIRouter(prefix="/api/publications", tags=["publications"])
ERRORS: dict[int | str, dict[str, object]] = {code: {"model": ErrorBody} for code in (401, 403, 404, 422)}
# UnifiedRecord is the services' model: its example lives here, with the routes that answer it
RECORD_EXAMPLE = {
    "kind": "letter",
    "number": "SCJG-2026-000007",
    "subject": "阿合奇县明华商贸有限公司",
    "subject_category": "法人及非法人组织",
    "code": "91350100M000100Y43",
    "legal_representative": "王明华",
    "commitment_type": "信用承诺书（主动公示型）",
    "commitment_category": "主动型",
    "matter": "市场主体综合信用承诺（主动公示型）",
    "content": "所填报的信息和提供的材料真实、准确、合法、有效，不以欺骗、贿赂等不正当手段取得审批手续。；…",
    "liability": "违反承诺的，依法承担相应责任，并记入信用记录。",
    "commitment_date": "2026-11-24",
    "authority": "阿合奇县市场监督管理局",
    "authority_code": "",
    "valid_until": "2027-11-24",
    "fulfilment": "",
    "unfulfilled": "",
    "sanction": "",
    "fulfilment_date": None,
    "fulfilment_authority": "",
    "fulfilment_authority_code": "",
    "disclosure": "可向社会公开",
    "source": "阿合奇县市场监督管理局",
    "remarks": "信用承诺",
    "due_on": "2026-12-03",
    "published_at": None,
    "withdrawal_due_on": None,
}


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    national = "national"  # CSV with the national 信用承诺信息 items' Chinese names as its header


Numbers = list[Annotated[str, Field(max_length=32)]]


class Marked(BaseModel):
    """Letters' publications by number, and broken letters' dishonesty records by the letter's number."""

    numbers: Numbers = Field(default=[], max_length=500, examples=[["SCJG-2026-000007", "SCJG-2026-000008"]])
    dishonesty: Numbers = Field(default=[], max_length=500, examples=[["JTJ-2026-000003"]])

    @model_validator(mode="after")
    def _something(self) -> Marked:
        if not self.numbers and not self.dishonesty:
            raise ValueError("name at least one letter in numbers or dishonesty")
        if len(self.numbers) + len(self.dishonesty) > 500:
            raise ValueError("at most 500 at once")
        return self


class MarkResult(BaseModel):
    model_config = examples({"marked": ["SCJG-2026-000007", "SCJG-2026-000008"]})

    marked: list[str]
    dishonesty: list[str] | None = None  # given when the request named dishonesty records


@router.get(
    "",
    response_model=list[UnifiedRecord],
    responses={200: {"content": {"application/json": {"example": [RECORD_EXAMPLE]}}}, **ERRORS},
)
def list_publications(
    staff: StaffDep,
    session: SessionDep,
    services: ServicesDep,
    state: PublicationState = PublicationState.due,
    kind: Annotated[PublicationKind | None, Query(description="letter or dishonesty; both by default")] = None,
) -> list[UnifiedRecord]:
    """Publications of the caller's departments in one state, soonest due first: public letters
    (kind letter) and broken commitments' dishonesty records (kind dishonesty)."""
    return [unified(services.vault, e) for e in find(session, state, staff.departments, kind=kind)]


EXPORTED = {
    "text/csv": {"schema": {"type": "string"}, "example": "number,subject,code,…\r\nSCJG-2026-000042,…"},
    "application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/UnifiedRecord"}},
                         "example": [RECORD_EXAMPLE]},
}  # fmt: skip


@router.get("/export", response_class=Response, responses={200: {"content": EXPORTED}, **ERRORS})
def export(
    staff: StaffDep,
    session: SessionDep,
    services: ServicesDep,
    state: PublicationState = PublicationState.due,
    kind: Annotated[PublicationKind | None, Query(description="letter or dishonesty; both by default")] = None,
    format: Annotated[
        ExportFormat, Query(description="csv, json, or national (CSV, Chinese headers)")
    ] = ExportFormat.csv,
) -> Response:
    """The same records as a file for the credit platform, in its unified format."""
    records = [unified(services.vault, e) for e in find(session, state, staff.departments, kind=kind)]
    suffix = "json" if format is ExportFormat.json else "csv"
    name = (
        f"publications-{state}-{'national-' if format is ExportFormat.national else ''}{clock.today():%Y%m%d}.{suffix}"
    )
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format is ExportFormat.json:
        body = "[" + ",".join(r.model_dump_json() for r in records) + "]"
        return Response(body, media_type="application/json", headers=headers)
    if format is ExportFormat.national:
        return Response(as_national_csv(records), media_type="text/csv; charset=utf-8", headers=headers)
    return Response(as_csv(records), media_type="text/csv; charset=utf-8", headers=headers)


@router.post("/published", response_model=MarkResult, response_model_exclude_none=True, responses=ERRORS)
def mark_published(marked: Marked, staff: StaffDep, session: WriteSessionDep) -> MarkResult:
    """Record that these letters (and dishonesty records) are now on the credit platform."""
    return _mark(marked, staff.username, staff.departments, session, withdrawn=False)


@router.post("/withdrawn", response_model=MarkResult, response_model_exclude_none=True, responses=ERRORS)
def mark_withdrawn(marked: Marked, staff: StaffDep, session: WriteSessionDep) -> MarkResult:
    """Record that these were taken down: after credit repair, or after the letter ended."""
    return _mark(marked, staff.username, staff.departments, session, withdrawn=True)


def _mark(
    marked: Marked, username: str, departments: frozenset[str] | None, session: Session, *, withdrawn: bool
) -> MarkResult:
    numbers = mark(session, username, departments, marked.numbers, withdrawn=withdrawn, dishonesty=marked.dishonesty)
    return MarkResult(marked=numbers, dishonesty=sorted(set(marked.dishonesty)) if marked.dishonesty else None)
