"""Every item in every language renders to a sealed PDF a clerk can read, copy and verify."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from forms.catalogue import Catalogue, CommitmentType, Item, load_catalogue
from forms.channels import Channel
from forms.checks import problems
from forms.languages import LANGS, Lang
from forms.letter import Letter
from forms.render import letter_html, letter_pdf
from forms.sample import sample_letter
from forms.seal import Sealer
from forms.settings import Settings
from tests.forms.pdf_reading import glyph_coverage, pdf_text, save_pages_as_png

ITEMS = sorted(load_catalogue().items)


def _squash(text: str) -> str:
    """pdftotext wraps long lines; compare without white space."""
    return re.sub(r"\s+", "", text)


def render(item: Item, lang: Lang, settings: Settings) -> tuple[Letter, bytes]:
    letter = sample_letter(item, lang)
    return letter, letter_pdf(letter, item, verify_url=settings.verify_url(letter.number))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("code", ITEMS)
def test_every_item_renders_in_every_language(
    code: str, lang: Lang, catalogue: Catalogue, settings: Settings, output_dir: Path
) -> None:
    item = catalogue.items[code]
    letter, pdf = render(item, lang, settings)
    text = _squash(pdf_text(pdf))
    assert _squash(item.name.zh) in text
    assert letter.number in text
    person = letter.applicant.legal_representative or letter.applicant.name
    covered, missing, fonts = glyph_coverage(pdf)
    assert not missing, f"characters drawn without a glyph: {sorted(missing)}"
    shown = item.name(lang) + person + letter.number + letter.applicant.name
    assert set(shown) - {" "} <= covered, f"not covered by an embedded font: {set(shown) - covered - {' '}}"
    assert fonts, "no embedded font"
    if lang in (Lang.zh, Lang.ky):
        # Arabic-script names come out of pdftotext in visual order; their glyphs are checked above
        assert _squash(person) in text
    if item.commitment_type is CommitmentType.certification or lang is Lang.ug:
        save_pages_as_png(pdf, output_dir / "letters" / f"{code}-{lang.value}")


def test_sample_letters_pass_the_letter_checks(catalogue: Catalogue) -> None:
    for item in catalogue.items.values():
        assert problems(sample_letter(item, Lang.ug), item) == [], item.code


def test_a_translated_letter_carries_the_chinese_text_first(catalogue: Catalogue, settings: Settings) -> None:
    item = catalogue.items[ITEMS[0]]
    letter = sample_letter(item, Lang.ug)
    html = letter_html(letter, item, verify_url=settings.verify_url(letter.number))
    chinese, translation = html.split('<section class="translation" lang="ug" dir="rtl">')
    assert item.name.zh in chinese and item.name.ug in translation
    assert item.name.ug not in chinese
    assert f'<span class="ltr">\u2066{letter.applicant.id_number}\u2069</span>' in translation


def test_a_chinese_letter_has_no_translation(catalogue: Catalogue, settings: Settings) -> None:
    item = catalogue.items[ITEMS[0]]
    letter = sample_letter(item, Lang.zh)
    assert 'class="translation"' not in letter_html(letter, item, verify_url=settings.verify_url(letter.number))


def test_applicant_text_never_becomes_markup(catalogue: Catalogue, settings: Settings) -> None:
    item = next(i for i in catalogue.items.values() if any(f.kind == "text" for f in i.fields))
    field = next(f for f in item.fields if f.kind == "text")
    letter = sample_letter(item, Lang.zh)
    letter = letter.model_copy(update={"answers": {**letter.answers, field.key: '<img src="x">&<b>'}})
    html = letter_html(letter, item, verify_url=settings.verify_url(letter.number))
    assert "&lt;img src=&#34;x&#34;&gt;&amp;&lt;b&gt;" in html
    assert '<img src="x">' not in html


def test_every_page_carries_the_number_the_qr_code_and_a_page_number(catalogue: Catalogue, settings: Settings) -> None:
    item = catalogue.items[ITEMS[0]]
    letter, pdf = render(item, Lang.ky, settings)
    pages = pdf_text(pdf).split("\f")[:-1]
    assert len(pages) >= 2
    for index, page in enumerate(pages, start=1):
        assert letter.number in page
        assert re.search(rf"\b{index}\s*/\s*{len(pages)}\b", page)
    import io

    import pypdf

    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        assert page.images, "QR code missing on a page"


def test_the_last_page_lists_the_signature_evidence(catalogue: Catalogue, settings: Settings) -> None:
    item = catalogue.items[ITEMS[0]]
    letter, pdf = render(item, Lang.zh, settings)
    last = pdf_text(pdf).split("\f")[-2]
    assert "签名证据" in last
    assert letter.signature is not None
    assert letter.signature.content_hash in _squash(last)
    assert letter.notice_hash in _squash(last)
    assert settings.verify_url(letter.number) in _squash(last)
    assert "签名渠道Telegram·100000001" in _squash(last)


def test_the_last_page_names_the_channel_and_the_user_who_signed(catalogue: Catalogue, settings: Settings) -> None:
    item = catalogue.items[ITEMS[0]]
    letter = sample_letter(item, Lang.ug)
    assert letter.signature is not None
    signature = letter.signature.model_copy(update={"channel": Channel.wechat, "channel_user": "oWx9_abcdef-123"})
    signed_on_wechat = letter.model_copy(update={"signature": signature})
    pdf = letter_pdf(signed_on_wechat, item, verify_url=settings.verify_url(letter.number))
    assert "微信·oWx9_abcdef-123" in _squash(pdf_text(pdf).split("\f")[-2])


def test_sample_letters_say_so(catalogue: Catalogue, settings: Settings) -> None:
    item = catalogue.items[ITEMS[0]]
    _, pdf = render(item, Lang.zh, settings)
    assert "样本" in pdf_text(pdf)


def test_one_letter_per_commitment_type(catalogue: Catalogue) -> None:
    types = {item.commitment_type for item in catalogue.items.values()}
    assert types == set(CommitmentType)


def test_sealed_sample_letters_verify(catalogue: Catalogue, settings: Settings) -> None:
    item = catalogue.items[ITEMS[-1]]
    letter, pdf = render(item, Lang.ky_Arab, settings)
    sealer = Sealer.from_settings(settings)
    check = sealer.verify(sealer.seal(pdf, number=letter.number))
    assert check.ok and check.number == letter.number


def test_rare_name_characters_render_from_the_full_face(catalogue: Catalogue, settings: Settings) -> None:
    # 喆, 堃 and 䶮 are outside GB 2312 and so outside the reduced face; 𠇔 is in Extension B
    item = next(i for i in catalogue.items.values() if i.applicant_kinds[0] == "person")
    letter = sample_letter(item, Lang.zh)
    name = "刘䶮喆堃𠇔"
    letter = letter.model_copy(update={"applicant": letter.applicant.model_copy(update={"name": name})})
    pdf = letter_pdf(letter, item, verify_url=settings.verify_url(letter.number))
    covered, missing, _ = glyph_coverage(pdf)
    assert not missing
    assert set(name) <= covered
    assert name in pdf_text(pdf)


def test_numbers_keep_their_order_inside_right_to_left_text() -> None:
    """Measured on the page: '+86' stands left of '138-0000-0000' in a Uyghur sentence."""
    import subprocess

    from forms.i18n import environment
    from forms.render.pdf import html_to_pdf

    phone = environment().from_string("{{ phone | ltr }}").render(phone="+86 138-0000-0000")
    pdf = html_to_pdf(f'<html><body><p lang="ug" dir="rtl">تېلېفون: {phone} (كىملىك).</p></body></html>')
    boxes = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    x = {word: float(left) for left, word in re.findall(r'xMin="([0-9.]+)"[^>]*>([^<]+)<', boxes)}
    assert x["+86"] < x["138-0000-0000"]


def test_the_letters_of_every_script_have_glyphs() -> None:
    from forms.render.pdf import html_to_pdf

    samples = {
        "zh-Hans": "承诺书 阿合奇县",
        "ug": "ئۇيغۇرچە ۆ ۈ ې ى",
        "ky-Arab": "قىرعىزچا ۅ ۉ",
        "ky": "Кыргызча ң ө ү Ң Ө Ү",
    }
    body = "".join(f'<p lang="{tag}">{text}</p>' for tag, text in samples.items())
    covered, missing, _ = glyph_coverage(html_to_pdf(f'<html lang="zh-Hans"><body>{body}</body></html>'))
    assert not missing
    assert set("".join(samples.values())) - {" "} <= covered
