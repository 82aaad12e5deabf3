"""The letter as a county legal office reads it: who signs, what it promises, the date stated once.

Read from the PDF text, as a clerk copying from it gets it (seed 000 §三(二) and §五, seed 004).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from forms.catalogue import Catalogue, CommitmentType, Item
from forms.catalogue.models import ApplicantKind
from forms.i18n import gettext_for
from forms.languages import Lang
from forms.letter import Letter
from forms.render import letter_pdf
from forms.render.view import LetterView
from forms.sample import NoSuchSample, private_item, sample_letter
from forms.settings import Settings
from tests.cli import chengnuo
from tests.forms.pdf_reading import pdf_text

# seed 000 §五(七), and seed 004's "本《承诺书》同意向社会公开": what only a published letter says
PUBLICATION = ("通过各级信用门户网站公示", "同意将信用承诺信息纳入主体信用记录", "同意向社会公开")
BIDI = "[\u200e\u200f\u202a-\u202e\u2066-\u2069]"  # the isolates numbers keep inside other text
STANDARD_CLAUSE_TYPES = (
    CommitmentType.credit_repair,
    CommitmentType.other,
    CommitmentType.self_discipline,
    CommitmentType.supervision,
)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _lines(text: str) -> list[str]:
    """One line per label and its value (the signature block's two halves come out interleaved)."""
    return [_squash(line) for line in text.splitlines() if line.strip()]


def _text(letter: Letter, item: Item, settings: Settings) -> str:
    return pdf_text(letter_pdf(letter, item, verify_url=settings.verify_url(letter.number)))


def test_an_organisation_signs_by_its_legal_representative_beside_its_seal(
    catalogue: Catalogue, settings: Settings
) -> None:
    item = catalogue.items["JTJ-001"]
    letter = sample_letter(item, Lang.zh, kind=ApplicantKind.company)
    lines = _lines(_text(letter, item, settings))
    representative = letter.applicant.legal_representative
    assert representative
    assert f"法定代表人（负责人）（签名）：{representative}" in lines
    assert f"承诺人：{letter.applicant.name}" in lines  # the company commits; its representative signs
    assert f"统一社会信用代码：{letter.applicant.id_number}" in lines
    assert "单位盖章：" in lines
    seal, signature = lines.index("单位盖章："), lines.index(f"法定代表人（负责人）（签名）：{representative}")
    assert 0 < seal - signature <= 3  # the seal's line is next to the representative's signature


def test_a_person_signs_without_a_seal_line(catalogue: Catalogue, settings: Settings) -> None:
    item = catalogue.items["SFJ-001"]
    letter = sample_letter(item, Lang.zh)
    lines = _lines(_text(letter, item, settings))
    assert f"承诺人（签名）：{letter.applicant.name}" in lines
    assert "单位盖章：" not in lines


def test_a_proxy_letter_names_the_committing_party_and_the_agent_each_under_their_label(
    catalogue: Catalogue, settings: Settings
) -> None:
    item = catalogue.items["GAJ-001"]
    letter = sample_letter(item, Lang.zh, agent=True)
    assert letter.agent is not None
    text = _text(letter, item, settings)
    lines = _lines(text)
    assert f"承诺人：{letter.applicant.name}" in lines
    assert f"居民身份证：{letter.applicant.id_number}" in lines
    assert f"委托代理人（签名）：{letter.agent.name}" in lines
    assert f"代理人证件号码：{letter.agent.id_number}" in lines
    # the agent is never the committing party
    assert not any(line.startswith("承诺人") and letter.agent.name in line for line in lines)
    # and in the basic information, under their own labels too
    squashed = _squash(text)
    assert f"委托代理人{letter.agent.name}代理人证件号码居民身份证{letter.agent.id_number}" in squashed


def test_an_organisation_through_an_agent_keeps_its_seal_line_and_the_agent_signs(
    catalogue: Catalogue, settings: Settings
) -> None:
    item = catalogue.items["JTJ-002"]
    letter = sample_letter(item, Lang.zh, kind=ApplicantKind.company, agent=True)
    assert letter.agent is not None
    lines = _lines(_text(letter, item, settings))
    assert f"法定代表人（负责人）：{letter.applicant.legal_representative}" in lines  # named, not signing
    assert f"委托代理人（签名）：{letter.agent.name}" in lines
    assert "单位盖章：" in lines


def test_a_translated_proxy_letter_labels_the_parties_in_both_languages(
    catalogue: Catalogue, settings: Settings
) -> None:
    item = catalogue.items["GAJ-001"]
    letter = sample_letter(item, Lang.ky, agent=True)
    assert letter.agent is not None
    text = _text(letter, item, settings)
    chinese, translation = text.split(
        gettext_for(Lang.ky)("以下是本承诺书的译文，供阅读参考；内容以中文文本为准。")[:12]
    )
    assert f"委托代理人（签名）：{_squash(letter.agent.name)}" in _lines(chinese)
    ky = gettext_for(Lang.ky)
    assert ky("委托代理人（签名）：") != "委托代理人（签名）："  # translated
    squashed = re.sub(BIDI, "", _squash(translation))  # a long Kyrgyz label wraps before the name
    assert _squash(ky("委托代理人（签名）：") + letter.agent.name) in squashed
    assert _squash(ky("承诺人：") + letter.applicant.name) in squashed
    # the agent's ID under its label (the other half of the signature block may come between the lines)
    label = _squash(ky("{label}：").format(label=ky("代理人证件号码")))
    assert any(letter.agent.id_number in squashed[at : at + len(label) + 60] for at in _all(squashed, label[:8]))


def _all(text: str, part: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(part), text)]


def test_a_letter_that_is_not_published_says_nowhere_that_it_will_be(catalogue: Catalogue, settings: Settings) -> None:
    private = [i for i in catalogue.items.values() if not i.notice.disclosure.public]
    assert any(i.commitment_type in STANDARD_CLAUSE_TYPES for i in private)  # one that would print (七)
    for item in private:
        text = _squash(_text(sample_letter(item, Lang.zh), item, settings))
        assert not [p for p in PUBLICATION if p in text], item.code


def test_a_published_letter_agrees_to_publication(catalogue: Catalogue, settings: Settings) -> None:
    for code in ("SCJG-003", "WLJ-001", "FGW-001", "SCJG-002"):
        item = catalogue.items[code]
        assert item.notice.disclosure.public
        text = _squash(_text(sample_letter(item, Lang.zh), item, settings))
        assert any(p in text for p in PUBLICATION), code


@pytest.mark.parametrize("code", ["SCJG-003", "WLJ-001", "FGW-001", "JTJ-002"])
def test_a_published_type_rendered_not_public_drops_the_publication_clause(
    code: str, catalogue: Catalogue, settings: Settings
) -> None:
    item = private_item(catalogue.items[code])
    letter = sample_letter(item, Lang.zh)
    assert not letter.public
    text = _squash(_text(letter, item, settings))
    assert not [p for p in PUBLICATION if p in text]
    assert "承诺公开类型不公开" in text


def test_a_proactive_letter_cannot_be_made_private(catalogue: Catalogue) -> None:
    with pytest.raises(NoSuchSample):
        private_item(catalogue.items["SCJG-002"])


def test_the_items_own_commitments_stand_under_clause_nine(catalogue: Catalogue, settings: Settings) -> None:
    """Seed 000 §五(九) "根据有关规定作出的其他承诺": labelled so, the item's commitments after it."""
    for item in catalogue.items.values():
        if item.commitment_type not in (*STANDARD_CLAUSE_TYPES, CommitmentType.proactive,
                                        CommitmentType.missing_material):  # fmt: skip
            continue
        text = _squash(_text(sample_letter(item, Lang.zh), item, settings))
        label = text.find("根据有关规定作出的其他承诺：")
        assert label >= 0, item.code
        first, last = (text.find(_squash(c.zh)) for c in (item.commitments[0], item.commitments[-1]))
        assert label < first <= last, item.code
        assert text.count(_squash(item.commitments[0].zh)) == 1, item.code


@pytest.mark.parametrize("lang", [Lang.zh, Lang.ug])
def test_the_missing_material_letter_states_its_deadline_once(
    lang: Lang, catalogue: Catalogue, settings: Settings
) -> None:
    for code in ("JTJ-002", "SCJG-001"):
        item = catalogue.items[code]
        letter = sample_letter(item, lang)
        assert letter.supplement is not None
        text = _squash(_text(letter, item, settings))
        due = letter.supplement.due_on
        assert text.count(f"{due.year}年{due.month}月{due.day}日") == 1, code
        if lang is not Lang.zh:  # right to left, pdftotext may give the ISO date's parts in visual order
            plain = re.sub(BIDI, "", text)
            backwards = f"{due.day:02d}-{due.month:02d}-{due.year}"
            assert plain.count(due.isoformat()) + plain.count(backwards) == 1, code
        zh = LetterView(letter, item, Lang.zh, gettext_for(Lang.zh))
        assert f"因{_squash(zh.missing_materials)}暂缺" in text  # the materials, in the commitment


def _sample(tmp_path: Path, *args: str) -> str:
    out = tmp_path / "sample.pdf"
    made = chengnuo("letter", "sample", *args, "-o", str(out), CHENGNUO_DATA_DIR=tmp_path)
    assert made.returncode == 0, made.stderr
    return pdf_text(out.read_bytes())


def test_the_sample_command_prints_an_organisations_letter_with_the_seal_line(tmp_path: Path) -> None:
    lines = _lines(_sample(tmp_path, "JTJ-001", "--kind", "company"))
    assert "单位盖章：" in lines
    assert any(line.startswith("法定代表人（负责人）（签名）：") for line in lines)


def test_the_sample_command_prints_a_proxy_letter_with_both_parties(tmp_path: Path) -> None:
    lines = _lines(_sample(tmp_path, "GAJ-001", "--agent"))
    assert any(line.startswith("承诺人：") for line in lines)
    assert any(line.startswith("委托代理人（签名）：") for line in lines)
    assert any(line.startswith("代理人证件号码：") for line in lines)


def test_the_sample_command_prints_a_private_letter_without_the_publication_clause(tmp_path: Path) -> None:
    text = _squash(_sample(tmp_path, "SCJG-003", "--private"))
    assert "承诺公开类型不公开" in text
    assert not [p for p in PUBLICATION if p in text]
    published = _squash(_sample(tmp_path, "SCJG-003"))
    assert any(p in published for p in PUBLICATION)


def test_the_sample_command_refuses_a_shape_the_item_does_not_have(tmp_path: Path) -> None:
    refused = chengnuo("letter", "sample", "SFJ-001", "--agent", "-o", str(tmp_path / "x.pdf"),
                       CHENGNUO_DATA_DIR=tmp_path)  # fmt: skip
    assert refused.returncode == 2 and "agent" in refused.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_the_catalogue_refuses_a_proactive_item_that_is_not_published(catalogue: Catalogue) -> None:
    """主动公示型 is published by its nature: its letter agrees to publication in so many words."""
    data = catalogue.items["SCJG-002"].model_dump(mode="json")
    data["notice"]["disclosure"]["public"] = False
    with pytest.raises(ValueError, match="主动公示型"):
        Item.model_validate(data)
