"""Finding letters: by number, ID number or credit code, name, item, department, status, dates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from api.deps import CallerDep, ServicesDep
from api.errors import ErrorBody
from api.query import query_model
from api.services.finding import LetterQuery, search_for
from api.views import LetterPage

router = APIRouter(prefix="/api/letters", tags=["letters"])


read_query, query_parameters = query_model(LetterQuery)


@router.get(
    "",
    response_model=LetterPage,
    responses={code: {"model": ErrorBody} for code in (401, 403, 422)},
    openapi_extra=query_parameters,
)
async def search_letters(
    query: Annotated[LetterQuery, Depends(read_query)], services: ServicesDep, caller: CallerDep
) -> LetterPage:
    """Letters of the caller's departments matching every filter given."""
    if services.reads_inline and query.is_exact:
        return search_for(services, query, caller)
    return await run_in_threadpool(search_for, services, query, caller)
