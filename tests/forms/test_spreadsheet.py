"""CSV injection: no cell we write starts a formula in Excel, WPS or LibreOffice."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from forms.spreadsheet import FORMULA_STARTS, csv_document, inert


def test_formulas_become_text_and_ordinary_values_stay_as_they_are() -> None:
    assert inert('=HYPERLINK("http://evil.example","点这里")') == '\'=HYPERLINK("http://evil.example","点这里")'
    assert inert("+cmd|' /C calc'!A0") == "'+cmd|' /C calc'!A0"
    assert inert("@SUM(A1)") == "'@SUM(A1)"
    assert inert("\t=1") == "'\t=1"
    assert inert("＝1+1") == "'＝1+1"
    assert inert("阿合奇县天山商贸有限公司") == "阿合奇县天山商贸有限公司"
    assert inert("2026-11-24") == "2026-11-24"
    assert inert(None) == ""


@given(st.lists(st.text(), min_size=1, max_size=5))
def test_no_cell_read_back_starts_a_formula_and_nothing_else_changes(cells: list[str]) -> None:
    names = [f"c{n}" for n in range(len(cells))]
    text = csv_document(names, [dict(zip(names, cells, strict=True))])
    assert text.startswith("\ufeff")
    header, row = list(csv.reader(io.StringIO(text[1:], newline="")))
    assert header == names
    assert not any(cell.startswith(FORMULA_STARTS) for cell in row)
    # the apostrophe is all that was added, and only where a formula would have started
    assert [
        cell[1:] if original.startswith(FORMULA_STARTS) else cell for cell, original in zip(row, cells, strict=True)
    ] == cells
