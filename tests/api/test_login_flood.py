"""A flood of logins for usernames that do not exist: logins wait, the rest of the API does not.

argon2 takes a core for about 0.1 s and 64 MiB per password checked. Checked inside a write
transaction it held SQLite's lock (a clerk's write waited seconds, or failed "database is
locked"); checked without a bound, 40 logins took 2.5 GiB.
"""

from __future__ import annotations

import time

from tests.api.serving import Flood, Served, memory_mib, reset_peak_memory, served
from tests.api.staffing import make_staff

__all__ = ["served"]
# Far above a write's few milliseconds, far below the seconds it took behind hashing logins.
WRITE_BOUND = 0.5


def test_a_flood_of_logins_does_not_stall_a_clerks_writes(served: Served) -> None:
    number = served.submit()
    username, password = make_staff(served.services, departments=("SFJ",))
    with served.client() as clerk:
        token = clerk.post("/api/auth/token", json={"username": username, "password": password})
        assert token.status_code == 200, token.text
        clerk.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        reveal = f"/api/letters/{number}/reveal"
        assert clerk.post(reveal).status_code == 200
        took, statuses = [], []
        with Flood(served, 8) as flood:
            for _ in range(10):
                started = time.perf_counter()
                statuses.append(clerk.post(reveal).status_code)
                took.append(time.perf_counter() - started)
            started = time.perf_counter()
            moved = clerk.post(f"/api/letters/{number}/transitions", json={"to": "accepted"})
            took.append(time.perf_counter() - started)
    assert statuses == [200] * 10 and moved.status_code == 201, moved.text
    assert flood.statuses and all(status < 500 for status in flood.statuses), sorted(set(flood.statuses))
    assert set(flood.statuses) <= {401, 429}
    assert max(took) < WRITE_BOUND, [f"{t:.3f}" for t in took]


def test_only_a_few_passwords_are_hashed_at_once(served: Served) -> None:
    """The server hashes two at a time (CHENGNUO_PASSWORD_HASHES=2): 12 parallel logins must not
    take 12 × 64 MiB. The server runs in this process, so its peak is this process's."""
    reset_peak_memory()
    before = memory_mib("VmRSS")
    with Flood(served, 12) as flood:
        time.sleep(1.5)
    grown = memory_mib("VmHWM") - before
    assert len(flood.statuses) >= 4 and all(status < 500 for status in flood.statuses)
    assert grown < 400, f"{grown} MiB more at the peak"
