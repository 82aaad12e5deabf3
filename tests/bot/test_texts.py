"""Every word a person reads comes from locales/: no literal text stands in the bot's code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from forms.i18n import ROOT

BOT = ROOT / "bot"
WORDS = re.compile(r"[\u4e00-\u9fff\u0600-\u06ff\u0400-\u04ffA-Za-z]{2,}")
TRANSLATING = {"_", "N_", "gettext", "lazy_gettext"}
# endonyms: each language's own name, shown to people who have not chosen a language yet
NAMES_IN_THEIR_OWN_LANGUAGE = {"中文", "ئۇيغۇرچە", "Кыргызча", "قىرعىزچا"}
# written into the letter's events for the windows, in Chinese, the record's authoritative language
RECORDED_IN_CHINESE = {"申请人撤回承诺"}


def _literals_outside_gettext(tree: ast.AST) -> list[tuple[int, str]]:
    marked: set[int] = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in TRANSLATING:
                marked.update(id(arg) for arg in node.args)
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in marked
            and re.search(r"[\u4e00-\u9fff\u0600-\u06ff\u0400-\u04ff]", node.value)
            and node.value not in NAMES_IN_THEIR_OWN_LANGUAGE | RECORDED_IN_CHINESE
        ):
            found.append((node.lineno, node.value))
    return found


def _docstrings(tree: ast.AST) -> set[int]:
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
    }  # fmt: skip


@pytest.mark.parametrize("path", sorted(BOT.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_text_in_chinese_uyghur_or_kyrgyz_outside_gettext(path: Path) -> None:
    found = _literals_outside_gettext(ast.parse(path.read_text(encoding="utf-8")))
    assert found == [], f"translate these through _(): {found}"


def test_messages_sent_to_people_are_never_bare_literals() -> None:
    """`answer("...")`, `text="..."`: whatever the wording, a literal sent to a person is a defect."""
    offenders = []
    for path in BOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            if node.func.attr not in {"answer", "send_message", "answer_document", "edit_text"}:
                continue
            arguments = [*node.args[:1], *(k.value for k in node.keywords if k.arg in {"text", "caption"})]
            for argument in arguments:
                if (
                    isinstance(argument, ast.Constant)
                    and isinstance(argument.value, str)
                    and WORDS.search(argument.value)
                ):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
