"""Reads the catalogue's YAML files into validated items, collecting every problem on the way."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from forms.catalogue.models import Department, Item

BUILTIN_DIR = Path(__file__).parent
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
M = TypeVar("M", Department, Item)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a catalogue file, said so that its author can find it."""

    file: str
    code: str  # the item or department code, "-" when unknown
    where: str  # the path inside the entry, "" for the whole entry
    message: str

    def __str__(self) -> str:
        where = f" {self.where}:" if self.where else ""
        return f"{self.file}: {self.code}:{where} {self.message}"


@dataclass
class Catalogue:
    """Every item by code; `problems` is empty when the catalogue is sound."""

    items: dict[str, Item] = field(default_factory=dict)
    departments: dict[str, Department] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def get(self, code: str) -> Item | None:
        return self.items.get(code.strip().upper())


def load_catalogue(directory: Path = BUILTIN_DIR) -> Catalogue:
    """Load `departments.yaml` and `items/*.yaml` under `directory`."""
    catalogue = Catalogue()
    dept_file = directory / "departments.yaml"
    for raw in _read_list(dept_file, catalogue):
        dept = _build(Department, raw, dept_file, catalogue)
        if dept is None:
            continue
        if dept.code in catalogue.departments:
            catalogue.problems.append(Problem(_rel(dept_file), dept.code, "", "duplicate department code"))
        catalogue.departments[dept.code] = dept
    item_files = sorted((directory / "items").glob("*.yaml"))
    if not item_files:
        catalogue.problems.append(Problem(_rel(directory / "items"), "-", "", "no item files"))
    for path in item_files:
        raw = _read_mapping(path, catalogue)
        if raw is None:
            continue
        _add_item(raw, path, catalogue)
    return catalogue


def _add_item(raw: dict[str, Any], path: Path, catalogue: Catalogue) -> None:
    code = str(raw.get("code", "-"))
    dept_code = raw.get("department")
    if isinstance(dept_code, str):
        if dept_code not in catalogue.departments:
            catalogue.problems.append(Problem(_rel(path), code, "department", f"unknown department {dept_code!r}"))
            return
        raw = {**raw, "department": catalogue.departments[dept_code]}
    item = _build(Item, raw, path, catalogue)
    if item is None:
        return
    if item.code in catalogue.items:
        catalogue.problems.append(Problem(_rel(path), item.code, "", "duplicate item code"))
        return
    catalogue.items[item.code] = item


def _build(model: type[M], raw: Any, path: Path, catalogue: Catalogue) -> M | None:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        code = str(raw.get("code", "-")) if isinstance(raw, dict) else "-"
        for e in error.errors():
            where = ".".join(str(part) for part in e["loc"])
            catalogue.problems.append(Problem(_rel(path), code, where, _message(e)))
        return None


def _message(error: Any) -> str:
    if error["type"] == "missing":
        return "missing (every text needs zh, ug, ky and ky_Arab)"
    if error["type"] in ("string_too_short", "string_pattern_mismatch") and not str(error.get("input", "")).strip():
        return "empty"
    return str(error["msg"])


def _read_list(path: Path, catalogue: Catalogue) -> list[Any]:
    data = _read(path, catalogue)
    if data is None:
        return []
    if not isinstance(data, list):
        catalogue.problems.append(Problem(_rel(path), "-", "", "expected a list of departments"))
        return []
    return data


def _read_mapping(path: Path, catalogue: Catalogue) -> dict[str, Any] | None:
    data = _read(path, catalogue)
    if data is not None and not isinstance(data, dict):
        catalogue.problems.append(Problem(_rel(path), "-", "", "expected one item (a mapping)"))
        return None
    return data


def _read(path: Path, catalogue: Catalogue) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except FileNotFoundError:
        catalogue.problems.append(Problem(_rel(path), "-", "", "file not found"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        catalogue.problems.append(Problem(_rel(path), "-", "", f"not valid YAML: {error}"))
    return None


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
