"""Sending races and durability: two server processes on one database choosing senders from one
Messaging Service at once; numbers leaving the pool while the other process sends; a server
killed (SIGKILL) right after answering a create, or while its claim on a message's work is held.
Real processes, a real status-callback receiver on 127.0.0.1; both databases.

Every wait is bounded: HTTP timeouts, Settle's ``Timeout``, and events with timeouts (never a
sleep to synchronise).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.conftest import Server, fresh_database, kill_server, start_server, stop_server
from tests.receiver import Answer, Receiver, running

HTTP_TIMEOUT = 30
SETTLE_TIMEOUT = "30"


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with running() as r:
        yield r


def _http(base_url: str, sid: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, auth=(sid, token), timeout=HTTP_TIMEOUT)


def _subaccount(server: Server) -> tuple[str, str]:
    """A fresh subaccount (sid, token): a test's messages and numbers never meet another test's."""
    with server.http() as h:
        r = h.post("/2010-04-01/Accounts.json", data={"FriendlyName": "sending races"})
        assert r.status_code == 201, r.text
        return r.json()["sid"], r.json()["auth_token"]


def _numbers(h: httpx.Client, sid: str, count: int) -> list[dict[str, Any]]:
    made = []
    for _ in range(count):
        r = h.post(f"/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json", data={"AreaCode": "415"})
        assert r.status_code == 201, r.text
        made.append(r.json())
    return made


def _service(h: httpx.Client, numbers: list[dict[str, Any]]) -> str:
    r = h.post("/messaging/v1/Services", data={"FriendlyName": "race pool"})
    assert r.status_code == 201, r.text
    service = r.json()["sid"]
    assert r.json()["sticky_sender"] is True  # the default
    for n in numbers:
        added = h.post(f"/messaging/v1/Services/{service}/PhoneNumbers", data={"PhoneNumberSid": n["sid"]})
        assert added.status_code == 201, added.text
    return service


def _settle(h: httpx.Client) -> float:
    """Settle (Timeout 30) on ``h``'s server; the seconds it took."""
    started = time.monotonic()
    r = h.post("/numberpool/v1/Settle", data={"Timeout": SETTLE_TIMEOUT}, timeout=float(SETTLE_TIMEOUT) + 15)
    assert r.status_code == 200, f"Settle did not finish the pending work: {r.status_code} {r.text}"
    return time.monotonic() - started


def _view(h: httpx.Client, sid: str) -> dict[str, Any]:
    r = h.get(f"/numberpool/v1/Messages/{sid}")
    assert r.status_code == 200, r.text
    return r.json()


def _callbacks(receiver: Receiver, path: str, message_sid: str) -> list[str]:
    return [s.form.get("MessageStatus", "") for s in receiver.requests(path) if s.form.get("MessageSid") == message_sid]


# -- 1. two processes, one Service, one sticky mapping per recipient ----------------------------

PER_SERVER = 40
RECIPIENTS = [f"+1415555{1000 + i:04d}" for i in range(20)]


def test_two_servers_sending_through_one_service_keep_every_sticky_mapping(server_pair, receiver):
    sid, token = _subaccount(server_pair[0])
    with _http(server_pair[0].base_url, sid, token) as h:
        numbers = _numbers(h, sid, 5)
        service = _service(h, numbers)
    callback = receiver.url("/sticky")
    pool = {n["phone_number"] for n in numbers}

    def send(i: int) -> list[tuple[str, str]]:
        """Thread ``i``: 40 creates through server ``i``, every recipient twice; (sid, To)."""
        made = []
        with _http(server_pair[i].base_url, sid, token) as c:
            for k in range(PER_SERVER):
                to = RECIPIENTS[(k + 7 * i) % len(RECIPIENTS)]
                r = c.post(f"/2010-04-01/Accounts/{sid}/Messages.json",
                           data={"To": to, "MessagingServiceSid": service, "Body": f"{i}/{k}", "StatusCallback": callback})
                assert r.status_code == 201, r.text
                assert r.json()["status"] == "accepted" and r.json()["from"] is None
                made.append((r.json()["sid"], to))
        return made

    with ThreadPoolExecutor(2) as ex:
        sent = [m for made in ex.map(send, (0, 1)) for m in made]
    assert len(sent) == 2 * PER_SERVER

    for server in server_pair:
        with _http(server.base_url, sid, token) as h:
            _settle(h)

    senders: dict[str, set[str]] = defaultdict(set)
    with _http(server_pair[1].base_url, sid, token) as h:
        for message_sid, to in sent:
            v = _view(h, message_sid)
            assert v["status"] == "delivered", f"{message_sid} ended {v['status']} ({v['error_code']})"
            assert v["from"] in pool, f"{message_sid} was sent from {v['from']}, not a number of the pool"
            senders[to].add(v["from"])
            assert [d["params"]["MessageStatus"] for d in v["deliveries"]] == ["queued", "sent", "delivered"], \
                f"{message_sid}: status callbacks recorded {[d['status'] for d in v['deliveries']]}"
            assert _callbacks(receiver, "/sticky", message_sid) == ["queued", "sent", "delivered"], \
                f"{message_sid}: the receiver saw {_callbacks(receiver, '/sticky', message_sid)}"
    lost = {to: sorted(used) for to, used in senders.items() if len(used) != 1}
    assert not lost, f"a sticky mapping was lost: recipients sent to from more than one number: {lost}"
    assert set(senders) == set(RECIPIENTS)
    # the first message to each recipient went to the least recently used number: spread over the pool
    assert {next(iter(used)) for used in senders.values()} == pool


# -- 2. numbers leave the pool while the other process sends ------------------------------------

POOL = 6
PER_REMOVAL = 8  # creates answered before each removal
MAX_CREATES = 120


@pytest.mark.parametrize("sender", [0, 1], ids=["send-on-0", "send-on-1"])
def test_no_message_is_sent_from_a_number_that_had_left_the_pool(server_pair, receiver, sender):
    sid, token = _subaccount(server_pair[0])
    remover = 1 - sender
    with _http(server_pair[remover].base_url, sid, token) as h:
        numbers = _numbers(h, sid, POOL)
        service = _service(h, numbers)
    callback = receiver.url(f"/leaving-{sender}")
    by_number = {n["phone_number"]: n["sid"] for n in numbers}

    created: list[tuple[str, float]] = []  # (message SID, monotonic time its 201 arrived)
    refused: list[tuple[int, Any, float]] = []
    removed_at: dict[str, float] = {}  # number SID -> monotonic time its removal's 204 arrived
    removing: list[float] = []  # monotonic time each removal was sent
    progress = threading.Condition()
    removing_done = threading.Event()
    sending_done = threading.Event()

    def send() -> None:
        try:
            with _http(server_pair[sender].base_url, sid, token) as c:
                for k in range(MAX_CREATES):
                    finished = removing_done.is_set()
                    r = c.post(f"/2010-04-01/Accounts/{sid}/Messages.json",
                               data={"To": RECIPIENTS[k % 10], "MessagingServiceSid": service, "Body": str(k),
                                     "StatusCallback": callback})
                    answered = time.monotonic()
                    with progress:
                        if r.status_code == 201:
                            created.append((r.json()["sid"], answered))
                        else:
                            refused.append((r.status_code, r.json().get("code"), answered))
                        progress.notify_all()
                    if finished:  # one create after the pool was emptied, then stop
                        return
        finally:
            sending_done.set()
            with progress:
                progress.notify_all()

    def remove() -> None:
        try:
            with _http(server_pair[remover].base_url, sid, token) as c:
                for k, n in enumerate(numbers):
                    with progress:
                        progress.wait_for(lambda k=k: len(created) >= (k + 2) * PER_REMOVAL or sending_done.is_set(),
                                          timeout=60)
                    removing.append(time.monotonic())
                    r = c.delete(f"/messaging/v1/Services/{service}/PhoneNumbers/{n['sid']}")
                    assert r.status_code == 204, r.text
                    removed_at[n["sid"]] = time.monotonic()
        finally:
            removing_done.set()

    # The first creates are sent and settled before any removal, so that the test has deliveries
    # to check however fast selection runs; the removals then race the creates that follow.
    with _http(server_pair[sender].base_url, sid, token) as c:
        for k in range(PER_REMOVAL):
            r = c.post(f"/2010-04-01/Accounts/{sid}/Messages.json",
                       data={"To": RECIPIENTS[k % 10], "MessagingServiceSid": service, "Body": f"first {k}",
                             "StatusCallback": callback})
            assert r.status_code == 201, r.text
            created.append((r.json()["sid"], time.monotonic()))
        _settle(c)

    with ThreadPoolExecutor(2) as ex:
        futures = [ex.submit(send), ex.submit(remove)]
        for f in futures:
            f.result(timeout=300)

    assert len(removed_at) == POOL
    assert refused, "the create after the pool was emptied was not refused"
    assert all((status, code) == (400, 21704) for status, code, _ in refused), refused
    assert all(t > removing[-1] for _, _, t in refused), "a create was refused before the pool was emptied"

    for server in server_pair:
        with _http(server.base_url, sid, token) as h:
            _settle(h)

    violations, outcomes = [], defaultdict(int)
    with _http(server_pair[sender].base_url, sid, token) as h:
        for message_sid, answered in created:
            v = _view(h, message_sid)
            outcomes[(v["status"], v["error_code"])] += 1
            if v["status"] == "failed":
                assert v["error_code"] in (21704, 21703), f"{message_sid} failed with {v['error_code']}"
                assert v["from"] is None
                assert [d["params"]["MessageStatus"] for d in v["deliveries"]] == ["failed"]
                continue
            assert v["status"] == "delivered", f"{message_sid} ended {v['status']} ({v['error_code']})"
            assert v["from"] in by_number, f"{message_sid} was sent from {v['from']}, never a number of the pool"
            gone = removed_at[by_number[v["from"]]]
            if answered > gone:  # created after its number's removal answered: selected after it too
                violations.append((message_sid, v["from"], round(answered - gone, 3)))
            assert [d["params"]["MessageStatus"] for d in v["deliveries"]] == ["queued", "sent", "delivered"], \
                f"{message_sid}: status callbacks recorded {[d['status'] for d in v['deliveries']]}"
    assert not violations, ("messages were sent from a number that had left the pool before their selection "
                            f"(sid, from, seconds after the removal): {violations}")
    assert outcomes[("delivered", None)] >= PER_REMOVAL, outcomes
    # the last creates came after the pool emptied (or raced its last removal): never delivered from it
    assert len(created) >= (POOL + 1) * PER_REMOVAL


# -- 3. durability: a server killed right after answering, or while holding a claim -------------

def _fresh_env() -> dict[str, str]:
    return {"TWILIO_ACCOUNT_SID": "AC" + secrets.token_hex(16), "TWILIO_AUTH_TOKEN": secrets.token_hex(16)}


def _children(pid: int) -> list[int]:
    """The server's worker processes (Linux)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False


class _FirstHitHangs(dict):
    """``Receiver.answers`` for one path whose first request is held ``delay`` seconds (the
    sender's claim is held meanwhile) and signals ``hit``; later requests answer at once."""

    def __init__(self, path: str, delay: float) -> None:
        super().__init__()
        self.path, self.delay, self.hit = path, delay, threading.Event()

    def get(self, key: Any, default: Any = None) -> Any:
        if key == self.path:
            if not self.hit.is_set():
                self.hit.set()
                return Answer(delay=self.delay)
            return Answer()
        return super().get(key, default)


def test_a_killed_servers_messages_are_delivered_after_a_restart(backend, tmp_path_factory):
    env = _fresh_env()
    sid, token = env["TWILIO_ACCOUNT_SID"], env["TWILIO_AUTH_TOKEN"]
    with running() as receiver, fresh_database(backend, tmp_path_factory) as db_url:
        path = "/durable"
        hang = _FirstHitHangs("/claimed", delay=10)
        receiver.answers = hang
        proc, base_url = start_server(db_url, env)
        try:
            with _http(base_url, sid, token) as h:
                n, spare = _numbers(h, sid, 2)
                service = _service(h, [n])
                # a create through the Service answered accepted, the server SIGKILLed right after
                r = h.post(f"/2010-04-01/Accounts/{sid}/Messages.json",
                           data={"To": RECIPIENTS[0], "MessagingServiceSid": service, "Body": "via service",
                                 "StatusCallback": receiver.url(path)})
                kill_server(proc)
                assert r.status_code == 201 and r.json()["status"] == "accepted", r.text
                via_service = r.json()["sid"]
            proc.wait(timeout=10)

            proc, base_url = start_server(db_url, env)
            with _http(base_url, sid, token) as h:
                # a create with From answered queued, the server SIGKILLed right after
                r = h.post(f"/2010-04-01/Accounts/{sid}/Messages.json",
                           data={"To": RECIPIENTS[1], "From": spare["phone_number"], "Body": "with from",
                                 "StatusCallback": receiver.url(path)})
                kill_server(proc)
                assert r.status_code == 201 and r.json()["status"] == "queued", r.text
                with_from = r.json()["sid"]
            proc.wait(timeout=10)

            proc, base_url = start_server(db_url, env)
            with _http(base_url, sid, token) as h:
                _settle(h)
                for message_sid, sender in ((via_service, n["phone_number"]), (with_from, spare["phone_number"])):
                    v = _view(h, message_sid)
                    assert (v["status"], v["from"]) == ("delivered", sender), \
                        f"{message_sid} acknowledged before the SIGKILL ended {v['status']} from {v['from']}"
                    assert "delivered" in _callbacks(receiver, path, message_sid), \
                        f"{message_sid}: its delivered status callback never arrived ({_callbacks(receiver, path, message_sid)})"
                    # recorded in order; a callback a killed process had sent but not yet recorded
                    # is missing from the record (it was sent, as the receiver shows), never repeated
                    recorded = [d["params"]["MessageStatus"] for d in v["deliveries"]]
                    order = ["queued", "sent", "delivered"]
                    assert recorded == [x for x in order if x in recorded] and len(set(recorded)) == len(recorded), recorded

                # a message whose work this process has claimed: its "sent" callback is held at the
                # receiver (the claim held meanwhile) when the process is SIGKILLed
                r = h.post(f"/2010-04-01/Accounts/{sid}/Messages.json",
                           data={"To": RECIPIENTS[2], "From": spare["phone_number"], "Body": "claimed",
                                 "StatusCallback": receiver.url("/claimed")})
                assert r.status_code == 201 and r.json()["status"] == "queued", r.text
                claimed = r.json()["sid"]
                assert hang.hit.wait(timeout=30), "the claimed message's first status callback never arrived"
                workers = _children(proc.pid)
                kill_server(proc)
            proc.wait(timeout=10)
            assert _callbacks(receiver, "/claimed", claimed) == ["sent"]

            proc, base_url = start_server(db_url, env)
            with _http(base_url, sid, token) as h:
                assert h.get(f"/2010-04-01/Accounts/{sid}.json").status_code == 200  # its start-up (recover) has run
                unreaped = [pid for pid in workers if _zombie(pid)]  # killed, not yet reaped by init
                took = _settle(h)
                # the claim was renewed for 30 s just before that callback: had the restart not freed
                # the dead process's claim, Settle would have waited for it to lapse (or timed out)
                assert took < 15, (f"Settle took {took:.1f} s: the dead process's claim was not freed at the restart "
                                   "(Sending.recover), it only lapsed; the killed worker(s) still unreaped zombies "
                                   f"after the new server's start-up: {unreaped} (domain/messages.py _alive: os.kill(pid, 0) "
                                   "succeeds on a zombie, so a SIGKILLed process not yet reaped counts as alive)")
                v = _view(h, claimed)
                assert v["status"] == "delivered", f"the claimed message ended {v['status']}"
                assert _callbacks(receiver, "/claimed", claimed) == ["sent", "delivered"]
                assert [d["params"]["MessageStatus"] for d in v["deliveries"]] == ["delivered"]
        finally:
            stop_server(proc)
