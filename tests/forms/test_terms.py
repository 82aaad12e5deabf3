"""docs/TERMS.md held to every translated text: each row's rendering wherever its Chinese term
stands, and no Kyrgyz-of-Kyrgyzstan word in a Kyrgyz text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from babel.messages.pofile import read_po
from ruamel.yaml import YAML

from forms.i18n import LOCALES_DIR, ROOT

TERMS = ROOT / "docs" / "TERMS.md"
CATALOGUE = ROOT / "forms" / "catalogue"
LANGS = ("ug", "ky")

# Where a row's Chinese term is only part of another word, or has another sense there, the
# rendering is not owed. (term, the longer Chinese it stands in): keep this short and say why.
NOT_THE_TERM: tuple[tuple[str, str], ...] = (
    ("窗口", "新窗口"),  # a browser window, not the service window
    ("窗口", "此窗口"),
    ("身份证", "身份证明"),  # proof of identity (身份 + 证明), any paper
    ("证件", "许可证件"),  # a licence (许可证 + 件)
    ("事项", "所列的综合信用承诺事项"),  # the clauses the notice lists, not the item
)
# Whole texts where a term has another sense: (term, the whole Chinese text), with why.
OTHER_SENSE: tuple[tuple[str, str], ...] = (
    ("事项", "承诺事项"),  # the letter's heading over the committed clauses, not the item
)

# Proper names that have to keep a forbidden Kyrgyz stem (none today).
ALLOWED_KYRGYZ: tuple[str, ...] = ()


@dataclass(frozen=True)
class Row:
    chinese: tuple[str, ...]
    renderings: dict[str, tuple[str, ...]]

    def owed(self, lang: str, term: str) -> tuple[str, ...]:
        """The renderings a text with `term` must have one of: "A / B" pairs with "X / Y"."""
        renderings = self.renderings[lang]
        if len(renderings) == len(self.chinese):
            return (renderings[self.chinese.index(term)],)
        return renderings


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _rows() -> list[Row]:
    rows = []
    for line in TERMS.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|") or line.startswith("|---") or "中文" in line:
            continue
        chinese, _english, ug, ky = _cells(line)
        terms = tuple(re.sub(r"\s*\([^()]*\)", "", t).strip() for t in chinese.split(" / "))
        rows.append(Row(terms, {"ug": tuple(ug.split(" / ")), "ky": tuple(ky.split(" / "))}))
    return rows


def _forbidden_kyrgyz() -> tuple[str, ...]:
    text = TERMS.read_text(encoding="utf-8")
    found = re.search(r"Kept out of every Kyrgyz text[^:]*:\s*(.+?)\.\n", text, re.S)
    assert found, "TERMS.md says which words are kept out of Kyrgyz texts"
    return tuple(w.strip() for w in found.group(1).replace("\n", " ").split(","))


ROWS = _rows()
# Uyghur raises a and e before a suffix (بېسىش / باسىدۇ, ۋەدە / ۋەدىنى, ئاشكارىلاش / ئاشكارىلىنىدۇ):
# compare with the unrounded vowels folded into one.
_UG_FOLD = str.maketrans({"ې": "ا", "ى": "ا", "ە": "ا"})
_VERBAL_NOUN = {"ug": re.compile(r"[ىۇۈ]?ش$"), "ky": re.compile(r"(уу|үү|оо|өө|ме|ма|мө|мо)$")}
# Kyrgyz possessive and case endings a rendering may be written with (терезеси, ишенимдүүлүктү)
_KY_ENDING = re.compile(
    r"(тын|тин|тун|түн|дын|дин|дун|дүн|нын|нин|нун|нүн|сы|си|су|сү|ты|ти|ту|тү|ды|ди|ду|дү|ны|ни|ну|нү|ы|и|у|ү)$"
)


# Uyghur case and possessive endings (ئىناۋەتنى, گەۋدىسى)
_UG_ENDING = re.compile(r"(نىڭ|نى|دىن|تىن|دا|دە|تا|تە|غا|گە|قا|كە|سى)$")


def _stem(lang: str, word: str) -> str:
    """A word as it starts before any suffix: a verbal noun's ending off (милдеттенме and
    милдеттенесиз share милдеттен), a possessive or case ending off, a Kyrgyz final к/г/п/б that
    turns voiced or voiceless before a suffix (күбөлүк, күбөлүгү), a Uyghur last letter."""
    word = word.strip("«»()")
    if len(word) <= 3:
        return word
    cut = _VERBAL_NOUN[lang].sub("", word)
    if cut != word and len(cut) >= 2:
        return cut
    if lang == "ky" and len(cut := _KY_ENDING.sub("", word)) >= 2 and cut != word:
        return cut[:-1] if cut[-1] in "кгпб" else cut
    if lang == "ug" and len(cut := _UG_ENDING.sub("", word)) >= 3 and cut != word:
        return cut
    if lang == "ky":  # a Kyrgyz stem keeps its letters, but к/п at the end may turn г/б
        return word[:-1] if word[-1] in "кгпб" else word
    return word[:-1]


def _fold(lang: str, text: str) -> str:
    return text.lower().translate(_UG_FOLD) if lang == "ug" else text.lower()


# A two-letter Kyrgyz word (иш) takes only a case, plural or possessive ending: ишкер, ишкана and
# ишенимдүүлүк are other words.
_KY_SHORT_TAIL = r"(?:|ти|тин|тан|ке|те|тен|тер\w*|и\w*)(?!\w)"


def _pattern(lang: str, rendering: str) -> re.Pattern[str]:
    stems = [re.escape(_fold(lang, _stem(lang, w))) for w in rendering.split()]
    if lang == "ky" and len(stems) == 1 and len(stems[0]) <= 2:
        return re.compile(r"(?<!\w)" + stems[0] + _KY_SHORT_TAIL)
    return re.compile(r"(?<!\w)" + r"\S*\s+".join(stems))


def _has(lang: str, translation: str, rendering: str) -> bool:
    return bool(_pattern(lang, rendering).search(_fold(lang, translation)))


def _po(lang: str) -> Iterator[tuple[str, str, str]]:
    with (LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        for message in read_po(f):
            if message.id and message.string:
                yield f"po {message.id[:30]}", str(message.id), str(message.string)


def _catalogue(lang: str) -> Iterator[tuple[str, str, str]]:
    yaml = YAML(typ="safe")

    def walk(node: object, where: str) -> Iterator[tuple[str, str, str]]:
        if isinstance(node, dict):
            if isinstance(node.get("zh"), str) and isinstance(node.get(lang), str):
                yield where, node["zh"], node[lang]
            for key, value in node.items():
                yield from walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from walk(value, f"{where}[{i}]")

    for path in sorted([CATALOGUE / "departments.yaml", *(CATALOGUE / "items").glob("*.yaml")]):
        yield from walk(yaml.load(path.read_text(encoding="utf-8")), path.name)


def texts(lang: str) -> list[tuple[str, str, str]]:
    return [*_po(lang), *_catalogue(lang)]


def terms_in(chinese: str) -> Iterator[tuple[Row, str]]:
    """The rows whose term the Chinese has, read left to right taking the longest term at each
    place: 统一社会信用代码 owes its own rendering, not also 信用's; a NOT_THE_TERM word owes nothing."""
    for term, longer in NOT_THE_TERM:
        chinese = chinese.replace(longer, longer.replace(term, "□" * len(term)))
    for term, whole in OTHER_SENSE:
        if chinese == whole:
            chinese = chinese.replace(term, "□" * len(term))
    terms = {t: r for r in ROWS for t in r.chinese}
    i = 0
    while i < len(chinese):
        found = max((t for t in terms if chinese.startswith(t, i)), key=len, default="")
        if found:
            yield terms[found], found
        i += len(found) or 1


def test_the_table_is_read() -> None:
    assert len(ROWS) >= 45
    # "A / B" against "X / Y" pairs them; one term with two renderings takes either
    assert all(len(r.renderings[lang]) in (1, len(r.chinese)) or len(r.chinese) == 1 for r in ROWS for lang in LANGS)
    for lang in LANGS:  # every rendering finds itself, as written in the table
        assert all(_has(lang, r, r) for row in ROWS for r in row.renderings[lang])
    assert _has("ky", "милдеттенме катынын", "милдеттенме каты")
    assert _has("ky", "милдеттенмени кайтарып алдыңыз", "милдеттенмени кайтарып алуу")
    assert _has("ug", "ۋەدىنى قايتۇرۇۋالىمەن", "ۋەدىنى قايتۇرۇۋېلىش")
    assert _has("ug", "تور بېكىتىدە ئاشكارىلىنىدۇ", "ئاشكارىلاش")
    assert _has("ky", "тейлөө терезелерине", "тейлөө терезеси")
    assert _has("ky", "күбөлүгүнүн номери", "күбөлүктүн номери")
    assert _has("ky", "ишенимдүүлүгүн калыбына келтирди", "ишенимдүүлүктү калыбына келтирүү")
    assert not _has("ky", "иш", "жумуш күнү")
    assert _has("ky", "Ишиңиз", "иш") and _has("ky", "иштерди", "иш")
    assert not _has("ky", "ишкердин ишенимдүүлүгү", "иш")
    assert not _has("ky", "коопсуздук", "коом")


@pytest.mark.parametrize("lang", LANGS)
def test_every_text_uses_the_terms_rendering(lang: str) -> None:
    wrong = []
    for where, chinese, translation in texts(lang):
        for row, term in terms_in(chinese):
            owed = row.owed(lang, term)
            if not any(_has(lang, translation, r) for r in owed):
                wrong.append(f"{term} → {' / '.join(owed)}: {where}: {translation[:80]}")
    assert not wrong, f"{len(wrong)} texts:\n" + "\n".join(wrong[:40])


def test_no_kyrgyz_of_kyrgyzstan_word() -> None:
    forbidden = _forbidden_kyrgyz()
    assert "документ" in forbidden and "кредит" in forbidden
    wrong = sorted(
        {
            word
            for _where, _chinese, text in texts("ky")
            for word in re.findall(r"[^\W\d_]+", text.lower())
            if word.startswith(forbidden) and word not in ALLOWED_KYRGYZ
        }
    )
    assert not wrong, wrong
