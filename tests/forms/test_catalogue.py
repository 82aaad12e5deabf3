"""The catalogue: complete in four languages, and `catalogue check` names every problem."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from forms.catalogue import Catalogue, CommitmentType, load_catalogue
from forms.catalogue.loader import BUILTIN_DIR
from forms.catalogue.models import SUMMARY_LINE_MAX, SUMMARY_LINES
from forms.kyrgyz_arabic import to_arabic
from forms.languages import I18nText, Lang
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


def _copy_with(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> tuple[Path, str]:
    """The built-in catalogue, with the first item's data changed by `change`."""
    copied = tmp_path / "catalogue"
    shutil.copytree(BUILTIN_DIR, copied, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = sorted((copied / "items").glob("*.yaml"))[0]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return copied, data["code"]


def test_an_item_without_a_summary_is_refused(tmp_path: Path) -> None:
    copied, code = _copy_with(tmp_path, lambda data: data.pop("summary"))
    problems = [str(p) for p in load_catalogue(copied).problems]
    assert any(code in p and "summary" in p and "missing" in p for p in problems), problems
    assert code not in load_catalogue(copied).items


def test_a_summary_of_two_lines_six_lines_or_a_long_line_is_refused(tmp_path: Path) -> None:
    def shortened(data: dict[str, Any]) -> None:
        data["summary"] = data["summary"][:2]

    def lengthened(data: dict[str, Any]) -> None:
        data["summary"] = (data["summary"] * 3)[:6]

    def wordy(data: dict[str, Any]) -> None:
        data["summary"][0] = {**data["summary"][0], "zh": "您承诺" * 20}

    for change, said in ((shortened, "at least 3"), (lengthened, "at most 5"), (wordy, "line 1 in zh")):
        copied, code = _copy_with(tmp_path / change.__name__, change)
        problems = [str(p) for p in load_catalogue(copied).problems]
        assert any(code in p and "summary" in p and said in p for p in problems), (change.__name__, problems)


def test_every_items_summary_is_three_to_five_short_lines_in_all_four_languages(catalogue: Catalogue) -> None:
    for item in catalogue.items.values():
        assert SUMMARY_LINES[0] <= len(item.summary) <= SUMMARY_LINES[1], item.code
        for line in item.summary:
            for lang in Lang:
                text = line(lang)
                assert text.strip() and len(text) <= SUMMARY_LINE_MAX[lang.value], (item.code, lang, text)
            assert line.ky_Arab == to_arabic(line.ky), (item.code, line.ky)
        # it says what follows an untrue commitment or a broken one, as the notice's liability does
        untrue = ("如果承诺不实", "如果承诺或材料不实", "如果违背承诺")
        assert any(line.zh.startswith(untrue) for line in item.summary), item.code


def test_the_summary_is_part_of_what_the_applicant_read(catalogue: Catalogue) -> None:
    item = catalogue.items["SFJ-001"]
    changed = item.model_copy(update={"summary": [*item.summary[:-1], item.summary[0]]})
    assert changed.notice_hash != item.notice_hash
