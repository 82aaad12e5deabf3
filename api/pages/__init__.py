"""The window workspace: pages for the staff and the public verify page, served by the API."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from forms.i18n import TEMPLATES_DIR

STATIC_DIR = TEMPLATES_DIR / "static"


def install(app: FastAPI) -> None:
    """Every asset is served from here: the pages load nothing from elsewhere."""
    from api.pages import admin, credit, dashboard, letters, login, publications, shares, statistics, verify

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (login, dashboard, letters, verify, shares, statistics, publications, credit, admin):
        app.include_router(module.router)
