"""The window API's application factory (issue 4 fills it in)."""

from __future__ import annotations

from fastapi import FastAPI

from forms.catalogue import load_catalogue
from forms.settings import Settings


def create_app(settings: Settings) -> FastAPI:
    """Build the app for these settings; nothing happens at import time."""
    app = FastAPI(title="chengnuo", version="0.1.0")
    catalogue = load_catalogue(settings.catalogue_dir)

    @app.get("/healthz")
    def healthz() -> dict[str, object]:
        return {"status": "ok", "items": len(catalogue.items), "catalogue_problems": len(catalogue.problems)}

    @app.get("/api/items")
    def items() -> list[dict[str, str]]:
        return [{"code": i.code, "name": i.name.zh, "department": i.department.code} for i in catalogue.items.values()]

    return app
