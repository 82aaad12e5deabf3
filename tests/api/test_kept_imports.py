"""A previewed dishonesty list waits for "apply" in the document store, file or row: given once, to
whoever kept it, in time (tests/pages/test_credit_page.py walks the pages)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from api.errors import ApiError
from api.runtime import Services
from api.services.pending_imports import PendingImports
from api.store.documents import Imports
from api.store.documents.imports import ImportRows
from api.store.documents.rows import DocumentRows


def refused(store: Imports, token: str, owner: str, digest: str) -> bool:
    with pytest.raises(ApiError) as error:
        store.take(token, owner=owner, sha256=digest)
    return (error.value.status, error.value.code) == (410, "credit.import_expired")


def lasting(services: Services, lifetime: timedelta) -> Imports:
    """The services' own kind of store, keeping lists for `lifetime`."""
    if services.documents.in_database:
        return ImportRows(DocumentRows(services.engine, services.vault), lifetime=lifetime)
    return PendingImports(services.settings.imports_dir, services.vault, lifetime=lifetime)


def test_a_kept_list_is_given_once_to_whoever_kept_it_in_time(services: Services) -> None:
    kept_lists = services.documents.imports
    kept = kept_lists.keep(b"id_number,name\n", owner="credit.admin")
    assert refused(kept_lists, kept.token, "someone.else", kept.sha256)
    assert refused(kept_lists, kept.token, "credit.admin", "0" * 64)  # not the file the preview showed
    assert refused(kept_lists, "../../etc/passwd", "credit.admin", kept.sha256)
    assert kept_lists.take(kept.token, owner="credit.admin", sha256=kept.sha256) == b"id_number,name\n"
    assert refused(kept_lists, kept.token, "credit.admin", kept.sha256)  # once

    stale = lasting(services, timedelta(seconds=-1))
    late = stale.keep(b"id_number\n", owner="credit.admin")
    assert refused(stale, late.token, "credit.admin", late.sha256)
    assert refused(lasting(services, timedelta(hours=1)), late.token, "credit.admin", late.sha256)  # gone with it
