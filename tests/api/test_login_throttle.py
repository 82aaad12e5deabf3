"""Wrong passwords slow logins down, per account and per client address, counted atomically by
every server process sharing the store, alike for usernames that exist and ones that do not."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import Session

from api.services.throttle import ADDRESS, tries_counted
from tests.api.serving import PROXY, Served, outsider, served_cheaply, unknown_username
from tests.api.staffing import make_staff

__all__ = ["served_cheaply"]
Try = tuple[str, str, str, dict[str, str]]  # from address, username, password, headers


def _together(served: Served, tries: list[Try]) -> list[tuple[int, str]]:
    """Every try posted at the same moment, each on its own connection."""
    start = threading.Barrier(len(tries))

    def one(attempt: Try) -> tuple[int, str]:
        address, username, password, headers = attempt
        with served.client(address) as http:
            http.get("/healthz")  # connected before the barrier
            start.wait()
            answer = http.post("/api/auth/token", json={"username": username, "password": password}, headers=headers)
        return answer.status_code, answer.json().get("code", "")

    with ThreadPoolExecutor(len(tries)) as pool:
        return list(pool.map(one, tries))


def _counted(served: Served, username: str) -> int:
    with Session(served.services.engine) as session:
        return tries_counted(session, served.services.vault, username)


def test_concurrent_wrong_passwords_are_all_counted_and_slowed(served_cheaply: Served) -> None:
    """40 at once, each from another address: a few are checked and counted, the rest wait (429)."""
    username, _ = make_staff(served_cheaply.services, departments=("SFJ",))
    tries = [(PROXY, username, "wrong", {"X-Forwarded-For": outsider()}) for _ in range(40)]
    answers = _together(served_cheaply, tries)
    assert set(answers) <= {(401, "login.failed"), (429, "login.throttled")}, answers
    checked = answers.count((401, "login.failed"))
    assert 1 <= checked <= 5 and answers.count((429, "login.throttled")) == 40 - checked
    assert _counted(served_cheaply, username) == checked  # no update lost


def test_tries_over_many_usernames_from_one_address_are_slowed(served_cheaply: Served) -> None:
    """Many usernames from one address: the address's limit; another address is not slowed."""
    tries = ADDRESS.free_tries + 4
    # a client of its own: what it claims to be forwarding for is not believed
    alone = [("127.0.0.2", unknown_username(), "x", {"X-Forwarded-For": outsider()}) for _ in range(tries)]
    answers = _together(served_cheaply, alone)
    assert answers.count((401, "login.failed")) == ADDRESS.free_tries
    assert answers.count((429, "login.throttled")) == 4
    with served_cheaply.client("127.0.0.3") as other:
        assert other.post("/api/auth/token", json={"username": unknown_username(), "password": "x"}).status_code == 401


def test_behind_the_trusted_proxy_each_client_is_the_address_it_forwards_for(served_cheaply: Served) -> None:
    client, neighbour = outsider(), outsider()
    tries = ADDRESS.free_tries + 4
    # the proxy's own address after the client's (a chain of proxies) is skipped
    chains = [f"{client}, {PROXY}", client]
    forwarded = [(PROXY, unknown_username(), "x", {"X-Forwarded-For": chains[i % 2]}) for i in range(tries)]
    # anyone else claiming to forward for the same client is only itself
    spoofed = [("127.0.0.4", unknown_username(), "x", {"X-Forwarded-For": client}) for _ in range(3)]
    answers = _together(served_cheaply, forwarded + spoofed)
    assert answers[tries:] == [(401, "login.failed")] * 3
    assert answers[:tries].count((401, "login.failed")) == ADDRESS.free_tries
    assert answers[:tries].count((429, "login.throttled")) == 4
    with served_cheaply.client() as proxy:
        fresh = {"username": unknown_username(), "password": "x"}
        assert proxy.post("/api/auth/token", json=fresh, headers={"X-Forwarded-For": neighbour}).status_code == 401


def test_a_throttled_account_lets_the_right_password_in_after_its_wait(served_cheaply: Served) -> None:
    username, password = make_staff(served_cheaply.services, departments=("SFJ",))
    answers = _together(served_cheaply, [(PROXY, username, "wrong", {"X-Forwarded-For": outsider()}) for _ in range(3)])
    assert answers == [(401, "login.failed")] * 3
    with served_cheaply.client(headers={"X-Forwarded-For": outsider()}) as http:
        slowed = http.post("/api/auth/token", json={"username": username, "password": password})
        assert (slowed.status_code, slowed.json()["code"]) == (429, "login.throttled")
        wait = slowed.json()["details"][0]["retry_after"]
        assert 1 <= wait <= 2
        assert slowed.headers["Retry-After"] == str(wait)  # for clients that read headers only
        time.sleep(wait)
        answer = http.post("/api/auth/token", json={"username": username, "password": password})
        assert answer.status_code == 200, answer.text
    assert _counted(served_cheaply, username) == 0  # a right password starts the account over


def test_throttling_answers_alike_for_existing_and_unknown_usernames(served_cheaply: Served) -> None:
    """The answers to the same tries do not tell whether the username exists."""
    existing, _ = make_staff(served_cheaply.services, departments=("SFJ",))
    seen = {}
    for username in (existing, unknown_username()):
        answers = []
        with served_cheaply.client() as http:
            for _ in range(6):
                answer = http.post(
                    "/api/auth/token",
                    json={"username": username, "password": "wrong"},
                    headers={"X-Forwarded-For": outsider()},
                )
                answers.append((answer.status_code, answer.json()))
        seen[username] = answers
    first, second = seen.values()
    assert first == second
    assert [status for status, _ in first] == [401, 401, 401, 429, 429, 429]
