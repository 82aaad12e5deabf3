"""归集公示: public letters due for publication within 7 working days; export; mark published."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from api.deps import ServicesDep, SessionDep, StaffDep, WriteSessionDep
from api.errors import ErrorBody
from api.services.publications import PublicationState, UnifiedRecord, as_csv, find, mark, unified
from forms import clock
from forms.public import examples

router = APIRouter(prefix="/api/publications", tags=["publications"])
ERRORS: dict[int | str, dict[str, object]] = {code: {"model": ErrorBody} for code in (401, 403, 404, 422)}
# UnifiedRecord is the services' model: its example lives here, with the routes that answer it
RECORD_EXAMPLE = {
    "number": "SCJG-2026-000007",
    "subject": "阿合奇县明华商贸有限公司",
    "code": "91350100M000100Y43",
    "commitment_type": "信用承诺书（主动公示型）",
    "matter": "市场主体综合信用承诺（主动公示型）",
    "content": "所填报的信息和提供的材料真实、准确、合法、有效，不以欺骗、贿赂等不正当手段取得审批手续。；…",
    "commitment_date": "2026-11-24",
    "authority": "阿合奇县市场监督管理局",
    "valid_until": "2027-11-24",
    "due_on": "2026-12-03",
    "published_at": None,
    "withdrawal_due_on": None,
}


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


class Marked(BaseModel):
    numbers: list[Annotated[str, Field(max_length=32)]] = Field(
        min_length=1, max_length=500, examples=[["SCJG-2026-000007", "SCJG-2026-000008"]]
    )


class MarkResult(BaseModel):
    model_config = examples({"marked": ["SCJG-2026-000007", "SCJG-2026-000008"]})

    marked: list[str]


@router.get(
    "",
    response_model=list[UnifiedRecord],
    responses={200: {"content": {"application/json": {"example": [RECORD_EXAMPLE]}}}, **ERRORS},
)
def list_publications(
    staff: StaffDep, session: SessionDep, services: ServicesDep, state: PublicationState = PublicationState.due
) -> list[UnifiedRecord]:
    """Publications of the caller's departments in one state, soonest due first."""
    return [unified(services.vault, p, r) for p, r in find(session, state, staff.departments)]


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
    format: Annotated[ExportFormat, Query(description="csv or json")] = ExportFormat.csv,
) -> Response:
    """The same records as a file for the credit platform, in its unified format."""
    records = [unified(services.vault, p, r) for p, r in find(session, state, staff.departments)]
    name = f"publications-{state}-{clock.today():%Y%m%d}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format is ExportFormat.json:
        body = "[" + ",".join(r.model_dump_json() for r in records) + "]"
        return Response(body, media_type="application/json", headers=headers)
    return Response(as_csv(records), media_type="text/csv; charset=utf-8", headers=headers)


@router.post("/published", response_model=MarkResult, responses=ERRORS)
def mark_published(marked: Marked, staff: StaffDep, session: WriteSessionDep) -> MarkResult:
    """Record that these letters are now on the credit platform."""
    return MarkResult(marked=mark(session, staff.username, staff.departments, marked.numbers, withdrawn=False))


@router.post("/withdrawn", response_model=MarkResult, responses=ERRORS)
def mark_withdrawn(marked: Marked, staff: StaffDep, session: WriteSessionDep) -> MarkResult:
    """Record that these records were taken down after credit repair."""
    return MarkResult(marked=mark(session, staff.username, staff.departments, marked.numbers, withdrawn=True))
