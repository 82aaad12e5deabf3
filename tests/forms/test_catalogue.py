"""The catalogue: complete in four languages, and `catalogue check` names every problem."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from forms.catalogue import Catalogue, CommitmentType, load_catalogue
from forms.catalogue.loader import BUILTIN_DIR
from forms.kyrgyz_arabic import to_arabic
from forms.languages import I18nText
from tests.cli import chengnuo
from tests.forms.scripts import arabic_script_apart_from_quoted


def texts(node: object) -> list[I18nText]:
    """Every translated text inside a model, however deep."""
    if isinstance(node, I18nText):
        return [node]
    if isinstance(node, list):
        return [t for value in node for t in texts(value)]
    if hasattr(node, "__pydantic_fields__"):
        return [t for name in type(node).model_fields for t in texts(getattr(node, name))]
    return []


def test_the_built_in_catalogue_is_sound(catalogue: Catalogue) -> None:
    assert catalogue.problems == []
    assert len(catalogue.items) >= 10
    assert len({item.department.code for item in catalogue.items.values()}) >= 5
    assert {item.commitment_type for item in catalogue.items.values()} == set(CommitmentType)


def test_arabic_script_kyrgyz_is_the_cyrillic_transliterated(catalogue: Catalogue) -> None:
    for item in catalogue.items.values():
        for text in texts(item):
            assert text.ky_Arab == to_arabic(text.ky), (item.code, text.ky)
            assert arabic_script_apart_from_quoted(text.ky_Arab, text.zh), (item.code, text.ky_Arab)
            assert arabic_script_apart_from_quoted(text.ug, text.zh), (item.code, text.ug)


def test_catalogue_check_passes_and_list_prints_code_tab_name() -> None:
    checked = chengnuo("catalogue", "check", CHENGNUO_CATALOGUE_DIR=BUILTIN_DIR)
    assert checked.returncode == 0, checked.stderr
    listed = chengnuo("catalogue", "list", CHENGNUO_CATALOGUE_DIR=BUILTIN_DIR)
    lines = listed.stdout.splitlines()
    assert len(lines) == len(load_catalogue().items)
    code, name = lines[0].split("\t")
    assert load_catalogue().items[code].name.zh == name


def test_catalogue_check_names_file_and_code_of_each_problem(tmp_path: Path) -> None:
    broken = tmp_path / "catalogue"
    shutil.copytree(BUILTIN_DIR, broken, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    items = sorted((broken / "items").glob("*.yaml"))
    first, second, third = items[0], items[1], items[2]
    first.write_text(
        re.sub(r"(?m)^(\s+)ug: .*$", r'\1ug: "  "', first.read_text(encoding="utf-8"), count=1), encoding="utf-8"
    )
    second.write_text(
        second.read_text(encoding="utf-8").replace("department: ", "department: NOPE\nx: ", 1), encoding="utf-8"
    )
    third.write_text("code: [unclosed", encoding="utf-8")

    result = chengnuo("catalogue", "check", CHENGNUO_CATALOGUE_DIR=broken)
    assert result.returncode == 1
    first_code, second_code = first.stem, second.stem
    assert f"items/{first.name}: {first_code}:" in result.stderr and "empty" in result.stderr
    assert f"items/{second.name}: {second_code}: department: unknown department 'NOPE'" in result.stderr
    assert f"items/{third.name}: -: not valid YAML" in result.stderr


def test_a_missing_translation_is_a_problem(tmp_path: Path) -> None:
    broken = tmp_path / "catalogue"
    shutil.copytree(BUILTIN_DIR, broken, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = sorted((broken / "items").glob("*.yaml"))[0]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("ky_Arab:"))
    path.write_text("".join(lines[:index] + lines[index + 1 :]), encoding="utf-8")
    result = chengnuo("catalogue", "check", CHENGNUO_CATALOGUE_DIR=broken)
    assert result.returncode == 1
    assert "ky_Arab: missing" in result.stderr
