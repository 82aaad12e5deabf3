"""Page images of sample letters for docs/ and the README: right-to-left text is checked by looking.

`make letter-images` renders a Uyghur and an Arabic-script Kyrgyz letter (a 容缺 item: title, the
basic-information table, the clauses with their dates, the signature blocks, the evidence page)
and writes every page as a PNG under docs/letters/.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from forms.catalogue import load_catalogue
from forms.languages import Lang
from forms.render import letter_pdf
from forms.sample import sample_letter

DOCS = Path(__file__).resolve().parents[1] / "docs" / "letters"
ITEM = "SCJG-001"


def main() -> None:
    item = load_catalogue().items[ITEM]
    DOCS.mkdir(parents=True, exist_ok=True)
    for old in DOCS.glob("*.png"):
        old.unlink()
    for lang in (Lang.ug, Lang.ky_Arab):
        pdf = letter_pdf(sample_letter(item, lang), item, verify_url="https://chengnuo.example.cn/verify/sample")
        with tempfile.TemporaryDirectory() as scratch:
            source = Path(scratch) / "letter.pdf"
            source.write_bytes(pdf)
            subprocess.run(["pdftoppm", "-r", "60", "-png", str(source), str(DOCS / f"{ITEM}-{lang.value}")], check=True)
    for image in sorted(DOCS.glob("*.png")):
        print(image.relative_to(DOCS.parents[1]))


if __name__ == "__main__":
    main()
