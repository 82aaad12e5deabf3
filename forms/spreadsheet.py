"""CSV files people open in Excel or WPS: no cell may run as a formula (CSV injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

# A cell starting with one of these is read as a formula (=HYPERLINK(...), +cmd|..., @SUM(...)),
# also in their full-width forms, which some spreadsheets fold; tab and line breaks start one too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def inert(value: object) -> str:
    """The cell's text, with a leading apostrophe where it would start a formula (OWASP's advice)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_document(fieldnames: list[str], rows: Iterable[Mapping[str, object]]) -> str:
    """A CSV with a header, every cell inert, and a byte-order mark so Excel reads the Chinese as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([inert(name) for name in fieldnames])
    for row in rows:
        writer.writerow([inert(row.get(name)) for name in fieldnames])
    return "\ufeff" + out.getvalue()
