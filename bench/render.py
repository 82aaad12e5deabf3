"""Render benchmark: cold and warm times and sizes of sealed-to-be letter PDFs.

Run with `make bench-render` (or `.venv/bin/python bench/render.py [--runs N]`). The cold figure is
the first letter of a fresh process, fonts included; warm figures are the next N renders in a
process that has warmed up as the API's render workers do (forms.render.warm_up).
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import time

import pypdf

from forms.catalogue import CommitmentType, load_catalogue
from forms.languages import Lang
from forms.render import letter_pdf, warm_up
from forms.sample import sample_letter
from forms.settings import Settings

# A two-page letter (主动公示型) and one with a full notice (证明事项告知承诺书), in Chinese and translated;
# each has its signature-evidence page after the letter.
CASES = [
    ("two-page", CommitmentType.proactive, Lang.zh),
    ("two-page", CommitmentType.proactive, Lang.ug),
    ("notice", CommitmentType.certification, Lang.zh),
    ("notice", CommitmentType.certification, Lang.ky),
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def cold_start(code: str, lang: Lang) -> float:
    """Seconds for the first letter in a new process (imports excluded, fonts included)."""
    script = (
        "import time;from forms.catalogue import load_catalogue;from forms.sample import sample_letter;"
        "from forms.render import letter_pdf;from forms.languages import Lang;"
        f"i=load_catalogue().items[{code!r}];l=sample_letter(i,Lang({lang.value!r}));"
        "t=time.perf_counter();letter_pdf(l,i,verify_url='https://x/verify/'+l.number);"
        "print(time.perf_counter()-t)"
    )
    return float(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    catalogue = load_catalogue()
    settings = Settings()
    warm_up()  # as a render worker does when it starts
    print(f"{'letter':<9} {'item':<9} {'lang':<8} {'pages':>5} {'KB':>6} {'cold ms':>8} {'p50 ms':>7} {'p99 ms':>7}")
    for label, kind, lang in CASES:
        item = next(i for i in catalogue.items.values() if i.commitment_type is kind)
        letter = sample_letter(item, lang)
        url = settings.verify_url(letter.number)
        cold = cold_start(item.code, lang)
        pdf = letter_pdf(letter, item, verify_url=url)
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            pdf = letter_pdf(letter, item, verify_url=url)
            times.append(time.perf_counter() - started)
        pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
        print(
            f"{label:<9} {item.code:<9} {lang.value:<8} {pages:>5} {len(pdf) / 1024:>6.0f} {cold * 1000:>8.0f}"
            f" {statistics.median(times) * 1000:>7.0f} {percentile(times, 0.99) * 1000:>7.0f}"
        )


if __name__ == "__main__":
    main()
