"""Durability benchmark: what SQLite's synchronous=FULL and fsync of stored files cost.

    .venv/bin/python bench/durability.py [--letters 300] [--runs 3] [--dir var/bench-durability]

Submissions go through the API's own store function (check the idempotency key, number, insert
the letter, its event, its publication and its name index, commit) on a fresh SQLite file in
--dir, one writer at a time and four at once, with synchronous=NORMAL (the old default, which a
power cut may roll back) and FULL (the default now). A sealed PDF (150 KB) is written with and
without fsync of the file and its directory. --dir must be on the disk the data will live on: on
a tmpfs fsync costs nothing and the figures mean nothing.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import Session

from api.pii import Vault
from api.services.submit import submit
from api.store.engine import make_engine, migrate, writer
from forms.catalogue import Item, load_catalogue
from forms.files import write_durably
from forms.languages import Lang
from forms.sample import sample_letter
from forms.submission import LetterSubmission, submission_hash

PDF_SIZE = 150 * 1024  # a two-page letter with its evidence page, sealed (README, render speed)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def signed(item: Item) -> LetterSubmission:
    """A valid signed submission, as the bot sends it."""
    letter = sample_letter(item, Lang.zh)
    assert letter.signature is not None
    data = letter.model_dump(include={"applicant", "agent", "answers", "supplement", "language", "notice_hash"})
    submission = LetterSubmission(item_code=item.code, signature=letter.signature, **data)
    signature = submission.signature.model_copy(update={"content_hash": submission_hash(submission, item)})
    return submission.model_copy(update={"signature": signature})


def store(directory: Path, synchronous: str) -> Engine:
    shutil.rmtree(directory, ignore_errors=True)
    engine = make_engine(f"sqlite:///{directory.resolve()}/chengnuo.db")

    @event.listens_for(engine, "connect")
    def _mode(connection: Any, _record: Any) -> None:  # after the store's own pragmas
        connection.execute(f"PRAGMA synchronous={synchronous}")

    migrate(engine)
    return engine


def submissions(engine: Engine, vault: Vault, item: Item, count: int, writers: int) -> tuple[float, list[float]]:
    """(seconds in all, each submission's seconds) for `count` letters from `writers` threads."""
    submission, times, lock = signed(item), [], threading.Lock()

    def writer_thread(share: int) -> None:
        for _ in range(share):
            started = time.perf_counter()
            with Session(writer(engine)) as session:
                submit(session, vault, submission, item, key=f"bench-{secrets.token_hex(8)}")
            with lock:
                times.append(time.perf_counter() - started)

    threads = [threading.Thread(target=writer_thread, args=(count // writers,)) for _ in range(writers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, times


def pdf_writes(directory: Path, count: int, write: Callable[[Path, bytes], object]) -> list[float]:
    pdf = os.urandom(PDF_SIZE)
    times = []
    for number in range(count):
        started = time.perf_counter()
        write(directory / "2026" / f"SFJ-2026-{number:06d}.pdf.enc", pdf)
        times.append(time.perf_counter() - started)
    return times


def unsynced(path: Path, content: bytes) -> None:
    """How files were written before: a temporary file renamed into place, no fsync."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    tmp.write_bytes(content)
    os.replace(tmp, path)


def row(label: str, times: list[float], total: float | None = None) -> str:
    rate = f"{len(times) / total:>8.0f}" if total else f"{'':>8}"
    p50, p99 = statistics.median(times) * 1000, percentile(times, 0.99) * 1000
    return f"{label:<34} {rate} {p50:>8.2f} {p99:>8.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--letters", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("var/bench-durability"))
    args = parser.parse_args()
    item = load_catalogue().items["SCJG-002"]
    vault = Vault(os.urandom(32))
    print(f"{'what':<34} {'per s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for run in range(1, args.runs + 1):
        print(f"run {run}")
        for synchronous in ("NORMAL", "FULL"):
            for writers in (1, 4):
                engine = store(args.dir / "store", synchronous)
                total, times = submissions(engine, vault, item, args.letters, writers)
                engine.dispose()
                print(row(f"  submit, {synchronous}, {writers} writer(s)", times, total))
        for label, write in (("no fsync", unsynced), ("fsync file + directory", write_durably)):
            shutil.rmtree(args.dir / "pdfs", ignore_errors=True)
            times = pdf_writes(args.dir / "pdfs", args.letters, write)
            print(row(f"  150 KB PDF, {label}", times, sum(times)))
    shutil.rmtree(args.dir, ignore_errors=True)


if __name__ == "__main__":
    main()
