"""The lead outbox against real receivers: a webhook receiver that goes away and comes back on the same
port gets every event once and in order, one answering 500 is retried with growing back-off, and
leads are published on NATS (kept while NATS is down). The payload carries only what the recipient
agency may see by marking: an ATF record hidden from HSI appears as its holder and whom to ask."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
import pytest
from sqlalchemy import select

from puente.ingest.pipeline import ingest_file
from puente.ingest.profiles import load_profile
from puente.leads import workflow
from puente.leads.generate import log
from puente.leads.outbox import NATS_URL_ENV, Delivery, add_webhook, deliver, nats_subject, pending
from puente.policy.principals import Role
from puente.search import refresh
from puente.store.repository import utcnow
from puente.store.schema import lead_events, leads, outbox
from tests.deconflict.test_targets import HEADER, _profile
from tests.ingest.test_bad_input import write
from tests.policy.test_access import PURPOSE, person

HSI = "US/HSI"
TASK_FORCE = "BEST-LAREDO"
ANALYST = person("ines.hsi", HSI, Role.ANALYST)
SUPERVISOR = person("rosa.hsi", HSI, Role.SUPERVISOR)
CASE = "US/HSI:case:HSI-1"
SUBJECT = "US/HSI:person:HSI-1-1"
ATF_CASE = "US/ATF:case:ATF-7"
ATF_PEOPLE = 8
# what the ATF records hold: never in a payload for HSI, which may only be pointed to them
HIDDEN = ("ATF-7", "Straw purchasing", "Castro", "Ivan")
NATS_URL = "nats://127.0.0.1:4222"


@pytest.fixture
def nats_server() -> str:
    """The NATS server the machine runs on loopback: a test that needs it fails, never skips, without it."""
    try:
        socket.create_connection(("127.0.0.1", 4222), timeout=1).close()
    except OSError as exc:
        pytest.fail(f"no NATS server accepts connections on 127.0.0.1:4222 ({exc})")
    return NATS_URL


@pytest.fixture(autouse=True)
def _no_nats(monkeypatch):
    # NATS rows are queued only when configured; the webhook tests count webhook rows alone
    monkeypatch.delenv(NATS_URL_ENV, raising=False)


def _load(db, tmp_path) -> str:
    """An HSI case with its subject (HSI sees them) and an ATF case whose subjects HSI may not see but
    may be pointed to. Returns the case title's token, unique to this test, to tell its messages apart
    on a NATS server other runs may share."""
    token = uuid.uuid4().hex[:8]
    hsi = HEADER + f"HSI-1,Operation Iron River {token},2023-01-02,OPEN,Firearms,SA Ortiz,1,Herrera,Maria,"
    hsi += "1990-05-14,US,\n"
    atf = HEADER + "".join(
        f"ATF-7,Straw purchasing Laredo,2023-02-02,OPEN,Firearms,SA Lee,{n},Castro,Ivan,1985-02-02,MX,\n"
        for n in range(1, ATF_PEOPLE + 1)
    )
    ingest_file(db, write(tmp_path, hsi, "hsi.csv"), load_profile("hsi-cases"))
    ingest_file(db, write(tmp_path, atf, "atf.csv"), _profile("US/ATF", "US/ATF", "pointer"))
    refresh(db)
    return token


def _leads(db, people: range) -> list[int]:
    """Leads for HSI as the case_subject rule stores them, each logged (and so queued) in the same
    transaction: an ATF record names a person resolved as the subject of HSI's case."""
    now = utcnow()
    made = []
    with db.engine.begin() as conn:
        for n in people:
            source = f"US/ATF:person:ATF-7-{n}"
            lead_id = conn.execute(
                leads.insert()
                .values(
                    rule="case_subject", recipient=HSI, target_ref=CASE, source_record_id=source,
                    source_owner="US/ATF", evidence=orjson.dumps([ATF_CASE, source, SUBJECT, CASE]).decode(),
                    priority=1, task_force=TASK_FORCE, status="new", due_at=now + dt.timedelta(days=3),
                    created_at=now,
                )
                .returning(leads.c.id)
            ).scalar_one()  # fmt: skip
            log(conn, lead_id, HSI, "created", "system", "")
            made.append(int(lead_id))
    return made


def _event_ids(db) -> list[int]:
    with db.engine.begin() as conn:
        query = select(lead_events.c.id).where(lead_events.c.recipient == HSI).order_by(lead_events.c.id)
        return list(conn.execute(query).scalars())


def _rows(db, channel: str = "webhook") -> list:
    with db.engine.begin() as conn:
        return conn.execute(select(outbox).where(outbox.c.channel == channel).order_by(outbox.c.id)).all()


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive UTC datetimes
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def _check_payload(body: dict, token: str) -> None:
    lead = body["lead"]
    text = orjson.dumps(body).decode()
    assert lead["task_force"] == TASK_FORCE and lead["rule"] == "case_subject"
    assert {"en", "es"} <= lead.keys()
    # what HSI sees is named; the ATF records only by their holder and whom to ask
    assert f"Operation Iron River {token}" in lead["en"] and "Maria Herrera" in lead["es"]
    assert "US/ATF" in lead["en"] and "US/ATF" in lead["es"]
    assert not any(hidden in text for hidden in HIDDEN), text
    by_holder = {(e["holder"], e["record_id"]) for e in lead["evidence"]}
    assert by_holder == {("US/ATF", None), (HSI, SUBJECT), (HSI, CASE)}


class Receiver:
    """An agency's system on 127.0.0.1: answers each call with the next of ``answers`` (an HTTP status,
    or None for a reply that is not HTTP), then 200, and records every call."""

    def __init__(self, port: int = 0, answers: tuple[int | None, ...] = ()) -> None:
        self.calls: list[tuple[int | None, int, dict]] = []  # (answer, Puente-Delivery, body)
        self._answers = list(answers)
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with receiver._lock:
                    answer = receiver._answers.pop(0) if receiver._answers else 200
                    receiver.calls.append((answer, int(self.headers["Puente-Delivery"]), body))
                if answer is None:
                    self.wfile.write(b"garbled\r\n\r\n")
                    return
                self.send_response(answer)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                """Quiet: the test reads what the receiver got, not its log."""

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/puente"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def accepted(self) -> list[int]:
        return [delivery for answer, delivery, _ in self.calls if answer == 200]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def receivers():
    started: list[Receiver] = []

    def start(port: int = 0, answers: tuple[int | None, ...] = ()) -> Receiver:
        started.append(Receiver(port, answers))
        return started[-1]

    yield start
    for r in started:
        if r.server.socket.fileno() != -1:
            r.stop()


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def test_webhook_survives_a_receiver_stopped_and_started_again(db, tmp_path, receivers):
    token = _load(db, tmp_path)
    first = receivers()
    add_webhook(db, SUPERVISOR, PURPOSE, first.url)

    made = _leads(db, range(1, 4))
    assert deliver(db) == Delivery(sent=3, failed=0, waiting=0)
    assert first.accepted == _event_ids(db) and len(first.calls) == 3
    for _, delivery, body in first.calls:
        assert body["delivery"] == delivery and body["event"] == "created" and body["actor"] == "system"
        _check_payload(body, token)

    first.stop()
    assert _refused(first.port)
    _leads(db, range(4, 7))
    workflow.comment(db, ANALYST, PURPOSE, made[0], "called the case agent")
    now = utcnow()
    report = deliver(db, now=now, timeout=2.0)
    assert report.sent == 0 and report.failed == 1  # the first is refused; the others wait behind it
    assert len(first.calls) == 3
    waiting = [r for r in _rows(db) if r.delivered_at is None]
    assert len(waiting) == 4 and pending(db) == 4
    assert waiting[0].attempts == 1 and _aware(waiting[0].next_attempt_at) == now + dt.timedelta(seconds=2)
    assert waiting[0].last_error  # why the first was not taken
    assert all(r.attempts == 0 for r in waiting[1:])  # never tried: their back-off does not grow
    # not due yet: nothing is tried
    assert deliver(db, now=now) == Delivery(sent=0, failed=0, waiting=4)

    second = receivers(port=first.port)
    later = now
    for _ in range(5):
        if not pending(db):
            break
        later += dt.timedelta(minutes=10)
        deliver(db, now=later)
    assert pending(db) == 0
    events = _event_ids(db)
    assert len(events) == 7
    assert first.accepted + second.accepted == events  # each once, in order per receiver
    assert len(second.calls) == 4
    assert [body["event"] for _, _, body in second.calls] == ["created"] * 3 + ["comment"]
    assert second.calls[-1][2]["actor"] == ANALYST.user_id
    for _, _, body in second.calls:
        _check_payload(body, token)
    assert all(r.delivered_at is not None and r.last_error is None for r in _rows(db))


def test_a_receiver_answering_500_is_retried_with_back_off(db, tmp_path, receivers):
    token = _load(db, tmp_path)
    receiver = receivers(answers=(500, 500))
    add_webhook(db, SUPERVISOR, PURPOSE, receiver.url)
    _leads(db, range(1, 2))
    (event,) = _event_ids(db)

    now = utcnow()
    assert deliver(db, now=now) == Delivery(sent=0, failed=1, waiting=0)
    (row,) = _rows(db)
    assert row.attempts == 1 and _aware(row.next_attempt_at) - now == dt.timedelta(seconds=2)
    assert "Internal Server Error" in row.last_error

    assert deliver(db, now=now + dt.timedelta(seconds=1)) == Delivery(sent=0, failed=0, waiting=1)
    now += dt.timedelta(seconds=2)
    assert deliver(db, now=now) == Delivery(sent=0, failed=1, waiting=0)
    (row,) = _rows(db)
    assert row.attempts == 2 and _aware(row.next_attempt_at) - now == dt.timedelta(seconds=4)

    assert deliver(db, now=now + dt.timedelta(seconds=3)).sent == 0
    now += dt.timedelta(seconds=4)
    assert deliver(db, now=now) == Delivery(sent=1, failed=0, waiting=0)
    (row,) = _rows(db)
    assert row.attempts == 3 and row.delivered_at is not None and row.last_error is None
    assert [(answer, delivery) for answer, delivery, _ in receiver.calls] == [
        (500, event),
        (500, event),
        (200, event),
    ]
    _check_payload(receiver.calls[-1][2], token)
    assert deliver(db, now=now + dt.timedelta(hours=2)) == Delivery()
    assert receiver.accepted == [event]


def test_a_receiver_gets_its_events_in_order_across_passes(sqlite_db, tmp_path, receivers):
    _load(sqlite_db, tmp_path)
    receiver = receivers(answers=(500, 500))
    add_webhook(sqlite_db, SUPERVISOR, PURPOSE, receiver.url)
    _leads(sqlite_db, range(1, 2))
    now = utcnow()
    deliver(sqlite_db, now=now)
    deliver(sqlite_db, now=now + dt.timedelta(seconds=2))  # refused again: next attempt 4 s later
    _leads(sqlite_db, range(2, 3))  # due at once
    deliver(sqlite_db, now=now + dt.timedelta(seconds=3))
    deliver(sqlite_db, now=now + dt.timedelta(seconds=10))
    assert pending(sqlite_db) == 0
    assert receiver.accepted == _event_ids(sqlite_db)


def test_a_receiver_answering_garbage_fails_alone(sqlite_db, tmp_path, receivers):
    _load(sqlite_db, tmp_path)
    good, bad = receivers(), receivers(answers=(None,))
    add_webhook(sqlite_db, SUPERVISOR, PURPOSE, good.url)
    add_webhook(sqlite_db, SUPERVISOR, PURPOSE, bad.url)
    _leads(sqlite_db, range(1, 2))
    now = utcnow()
    assert deliver(sqlite_db, now=now) == Delivery(sent=1, failed=1, waiting=0)
    deliver(sqlite_db, now=now + dt.timedelta(minutes=1))
    assert pending(sqlite_db) == 0
    assert good.accepted == bad.accepted == _event_ids(sqlite_db)


async def _deliver_watched(db, expected: int, token: str, **kwargs: object) -> tuple[Delivery, list[dict]]:
    """Deliver while subscribed to HSI's subject; the messages of this test (its token) that arrive."""
    import nats

    client = await nats.connect(NATS_URL)
    try:
        subscription = await client.subscribe(nats_subject(HSI))
        await client.flush()
        report = await asyncio.to_thread(deliver, db, **kwargs)
        mine = []
        loop = asyncio.get_running_loop()
        until = loop.time() + 5
        while len(mine) < expected and loop.time() < until:
            try:
                message = await subscription.next_msg(timeout=until - loop.time())
            except nats.errors.TimeoutError:
                break
            body = orjson.loads(message.data)
            if token in body["lead"]["en"]:  # other runs may publish on the same server
                mine.append(body)
    finally:
        await client.close()
    return report, mine


def test_leads_are_published_on_nats(sqlite_db, tmp_path, monkeypatch, nats_server):
    monkeypatch.setenv(NATS_URL_ENV, NATS_URL)
    token = _load(sqlite_db, tmp_path)
    _leads(sqlite_db, range(1, 3))
    assert [(r.destination, r.delivered_at) for r in _rows(sqlite_db, "nats")] == [
        ("puente.leads.US.HSI", None)
    ] * 2

    report, messages = asyncio.run(_deliver_watched(sqlite_db, 2, token))
    assert report == Delivery(sent=2, failed=0, waiting=0)
    assert sorted(m["delivery"] for m in messages) == _event_ids(sqlite_db)
    for body in messages:
        assert body["event"] == "created"
        _check_payload(body, token)
    rows = _rows(sqlite_db, "nats")
    assert len(rows) == 2 and all(r.delivered_at is not None and r.attempts == 1 for r in rows)
    assert pending(sqlite_db) == 0


_DELIVER = """
import json, sys
from puente.leads.outbox import deliver
from puente.store import connect
report = deliver(connect(sys.argv[1]), timeout=1.0)
print(json.dumps([report.sent, report.failed, report.waiting]))
"""


def test_nats_down_keeps_messages(sqlite_db, tmp_path, monkeypatch, nats_server):
    monkeypatch.setenv(NATS_URL_ENV, "nats://127.0.0.1:1")  # nothing listens there
    token = _load(sqlite_db, tmp_path)
    _leads(sqlite_db, range(1, 2))
    # in a child process, which can be stopped if deliver hangs
    env = {**os.environ, NATS_URL_ENV: "nats://127.0.0.1:1"}
    child = subprocess.Popen(
        [sys.executable, "-c", _DELIVER, sqlite_db.engine.url.render_as_string(hide_password=False)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        out, _ = child.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        pytest.fail("deliver did not return within 15 s while NATS was down")
    assert child.returncode == 0
    assert json.loads(out) == [0, 1, 0]
    (row,) = _rows(sqlite_db, "nats")
    assert row.delivered_at is None and row.attempts == 1 and row.last_error
    assert pending(sqlite_db) == 1

    monkeypatch.setenv(NATS_URL_ENV, NATS_URL)
    report, messages = asyncio.run(
        _deliver_watched(sqlite_db, 1, token, now=utcnow() + dt.timedelta(minutes=5))
    )
    assert report == Delivery(sent=1, failed=0, waiting=0)
    assert [m["delivery"] for m in messages] == _event_ids(sqlite_db)
    assert pending(sqlite_db) == 0
