"""The README's lifecycle diagram is the one the rules draw: it cannot drift from forms/statuses.py."""

from __future__ import annotations

from pathlib import Path

from api.pages.words import STATUSES
from forms.catalogue import CommitmentType
from forms.lifecycle import END, START, mermaid, readme_block
from forms.statuses import Actor, Status, next_moves
from tests.cli import chengnuo

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_diagram_is_the_one_the_code_draws() -> None:
    text = README.read_text(encoding="utf-8")
    start, end = text.index(START), text.index(END) + len(END)
    assert text[start:end] == readme_block(STATUSES), "run `chengnuo lifecycle --readme`"


def test_the_diagram_has_every_status_and_every_move_a_window_page_offers() -> None:
    diagram = mermaid(STATUSES)
    for status in Status:
        assert f'state "{status.value} {STATUSES[status]}" as {status.value}' in diagram
        for kind in CommitmentType:
            for target in next_moves(status, Actor.window, kind):
                assert f"    {status.value} --> {target.value}: " in diagram
    assert "    supplemented --> withdrawn: applicant\n" in diagram
    assert "    accepted --> awaiting_supplement: window (容缺受理型 only)\n" in diagram


def test_chengnuo_lifecycle_prints_it(tmp_path: Path) -> None:
    printed = chengnuo("lifecycle", PYTHONPATH=README.parent, CHENGNUO_DATA_DIR=tmp_path)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == mermaid(STATUSES)
