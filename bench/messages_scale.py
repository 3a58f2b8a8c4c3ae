"""Messages at scale, run by bench/run.py's ``scale()`` against its server (response cache off):

- listing an account's messages by ``To`` among ``count`` messages, spread over up to 10,000
  recipients (``GET .../Messages.json?To=<one recipient>&PageSize=50``, median ms);
- a Messaging Service of 400 numbers whose sticky map holds ``count`` recipients, against a
  Service of 1 number: a batch of creates through the Service to recipients of the map, each
  batch timed from its first create to Settle's answer (``POST /numberpool/v1/Settle``: every
  message has its sender and a final status), interleaved, medians and their ratio.

The messages and the sticky map are written straight into the database, as ``numberpool
bulk-load`` writes numbers: COPY on PostgreSQL, INSERT batches in one transaction on SQLite.
Each message row has every NOT NULL column of ``messages`` (src/numberpool/store/schema.py):
a delivered outbound-api SMS with a time-ordered SID, as the API would have written it.

    python bench/messages_scale.py --count 20000    # alone, on SQLite (and PostgreSQL when configured)
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import statistics
import time
from collections.abc import Iterator
from typing import Any

import httpx
import measure
from sqlalchemy.engine import make_url

LIST_TARGET_MS = 25.0  # one page of messages by To, median
STICKY_TARGET = 1.5  # 400-number Service with the sticky map / 1-number Service, median batch time, at most
SERVICE_NUMBERS = 400
BATCH = 20  # creates per timed batch
CHUNK = 10_000  # rows per INSERT batch or COPY write

_MESSAGE_COLUMNS = ("sid", "created_key", "account_sid", "from_number", "to_number", "body", "status", "direction",
                    "num_segments", "num_media", "media_urls", "price", "price_unit", "validity_period",
                    "smart_encoded", "deliveries", "extra", "date_created", "date_updated", "date_sent")
_STICKY_COLUMNS = ("service_sid", "to_number", "phone_number_sid", "date_updated")


def recipient(i: int) -> str:
    """The ``i``-th recipient of the listed messages: +1415555XXXX."""
    return f"+1415555{i:04d}"


def sticky_recipient(i: int) -> str:
    """The ``i``-th recipient of the sticky map (up to 8,000,000): +1415NXXXXXX from NXX 200."""
    return f"+1415{2_000_000 + i:07d}"


def _message_rows(account_sid: str, from_number: str, count: int, recipients: int) -> Iterator[tuple[Any, ...]]:
    """``count`` delivered messages, one per millisecond up to now, cycling over ``recipients``."""
    start = time.time_ns() // 1_000_000 - count
    for i in range(count):
        millis = start + i
        sid = f"SM{millis:012x}{secrets.randbits(79):020x}"
        ts = millis // 1000
        yield (sid, sid[2:], account_sid, from_number, recipient(i % recipients), f"bench message {i}", "delivered",
               "outbound-api", 1, 0, "[]", "-0.00790", "USD", 36000, False, "[]", "{}", ts, ts, ts)


def _sticky_rows(service_sid: str, number_sids: list[str], count: int) -> Iterator[tuple[Any, ...]]:
    ts = int(time.time())
    for i in range(count):
        yield (service_sid, sticky_recipient(i), number_sids[i % len(number_sids)], ts)


def _chunks(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def bulk_insert(db_url: str, table: str, columns: tuple[str, ...], rows: Iterator[tuple[Any, ...]]) -> None:
    """``rows`` into ``table``: COPY on PostgreSQL, INSERT batches on SQLite; one transaction, then ANALYZE."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        conn = sqlite3.connect(url.database or "", timeout=60, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            for chunk in _chunks(rows):
                conn.executemany(sql, chunk)
            conn.execute("COMMIT")
            conn.execute(f"ANALYZE {table}")
        finally:
            conn.close()
        return
    import psycopg

    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq) as conn:
        with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        conn.commit()
        conn.execute(f"ANALYZE {table}")
        conn.commit()


def _scalar(db_url: str, sql: str, arg: str) -> Any:
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        conn = sqlite3.connect(url.database or "")
        try:
            row = conn.execute(sql.replace("%s", "?"), (arg,)).fetchone()
        finally:
            conn.close()
    else:
        import psycopg

        with psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False)) as conn:
            row = conn.execute(sql, (arg,)).fetchone()
    return row[0] if row else None


def _post(c: httpx.Client, path: str, data: dict[str, str], status: int = 201) -> dict[str, Any]:
    r = c.post(path, data=data)
    if r.status_code != status:
        raise RuntimeError(f"POST {path} answered {r.status_code}: {r.text[:500]}")
    return r.json()


def _service(c: httpx.Client, acc: str, numbers: int) -> tuple[str, list[str]]:
    """A Messaging Service with sticky sender on and ``numbers`` numbers bought with AreaCode 415."""
    mg = _post(c, "/messaging/v1/Services", {"FriendlyName": f"bench {numbers}", "StickySender": "true"})["sid"]
    sids = []
    for _ in range(numbers):
        pn = _post(c, f"{acc}/IncomingPhoneNumbers.json", {"AreaCode": "415"})["sid"]
        _post(c, f"/messaging/v1/Services/{mg}/PhoneNumbers", {"PhoneNumberSid": pn})
        sids.append(pn)
    return mg, sids


def _batch_ms(c: httpx.Client, acc: str, mg: str, to: list[str]) -> float:
    """Milliseconds from the first of the creates through ``mg`` to Settle's answer."""
    started = time.perf_counter()
    for number in to:
        _post(c, f"{acc}/Messages.json", {"To": number, "MessagingServiceSid": mg, "Body": "bench"})
    _post(c, "/numberpool/v1/Settle", {"Timeout": "120"}, status=200)
    return (time.perf_counter() - started) * 1000


def measure_messages(base: str, sid: str, token: str, db_url: str, count: int, reps: int) -> dict[str, Any]:
    """The two measures above, on the running server at ``base`` (account ``sid``, its numbers
    already loaded) and its database ``db_url``."""
    out: dict[str, Any] = {"messages": count}
    acc = f"/2010-04-01/Accounts/{sid}"
    with httpx.Client(base_url=base, auth=(sid, token), timeout=120) as c:
        from_number = _scalar(db_url, "SELECT phone_number FROM incoming_phone_numbers WHERE account_sid = %s LIMIT 1", sid)
        if from_number is None:
            from_number = c.post(f"{acc}/IncomingPhoneNumbers.json", data={"AreaCode": "212"}).json()["phone_number"]
        recipients = max(1, min(10_000, count // 100))
        print(f"bench: bulk-inserting {count:,} messages to {recipients:,} recipients", flush=True)
        started = time.perf_counter()
        bulk_insert(db_url, "messages", _MESSAGE_COLUMNS, _message_rows(sid, from_number, count, recipients))
        out["messages_load_seconds"] = time.perf_counter() - started
        out["recipients"] = recipients
        to = recipient(42 % recipients)
        url = f"{base}{acc}/Messages.json?To=%2B{to[1:]}&PageSize=50"
        page = c.get(url).json()["messages"]
        if len(page) != min(50, count // recipients) or any(m["to"] != to for m in page):
            raise RuntimeError(f"Messages.json?To={to} answered {len(page)} messages, not all to {to}")
        out["list_by_to_ms_median"] = statistics.median(measure.latency_ms(c, url, reps))

        print(f"bench: a Service of {SERVICE_NUMBERS} numbers with {count:,} sticky recipients, and one of 1",
              flush=True)
        big, big_sids = _service(c, acc, SERVICE_NUMBERS)
        small, _ = _service(c, acc, 1)
        started = time.perf_counter()
        bulk_insert(db_url, "sticky_senders", _STICKY_COLUMNS, _sticky_rows(big, big_sids, count))
        out["sticky_load_seconds"] = time.perf_counter() - started
        out["sticky_recipients"] = count
        # Recipients from the map, spread over it; each batch's the same for both Services.
        step = max(1, count // ((reps + 1) * BATCH))
        batches = [[sticky_recipient((k * BATCH + j) * step % count) for j in range(BATCH)] for k in range(reps + 1)]
        _batch_ms(c, acc, big, batches[0])  # a first batch each, not counted: the server's first selections
        _batch_ms(c, acc, small, batches[0])
        big_ms, small_ms = [], []
        for to_batch in batches[1:]:  # interleaved, so both see the same machine
            big_ms.append(_batch_ms(c, acc, big, to_batch))
            small_ms.append(_batch_ms(c, acc, small, to_batch))
        chosen = c.get(f"/numberpool/v1/Messages?To=%2B{batches[-1][0][1:]}&PageSize=5").json()["messages"]
        rules = {m["selection"]["rule"] for m in chosen if m.get("messaging_service_sid") == big and m.get("selection")}
        if rules != {"sticky"}:
            raise RuntimeError(f"the 400-number Service chose by {rules or 'nothing'}, not by its sticky map")
    out.update({
        "batch": BATCH, "reps": reps,
        "sticky_400_batch_ms_median": statistics.median(big_ms),
        "sticky_1_batch_ms_median": statistics.median(small_ms),
        "sticky_400_over_1": statistics.median(b / s for b, s in zip(big_ms, small_ms, strict=True)),
    })
    return out


def main() -> int:
    import argparse
    import sys
    from pathlib import Path

    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here.parent))
    import run
    import servers

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    pg = os.environ.get("NUMBERPOOL_BENCH_POSTGRES_URL") or os.environ.get("NUMBERPOOL_TEST_POSTGRES_URL")
    kinds = ["sqlite"] + (["postgres"] if pg and not args.sqlite_only else [])
    if pg:
        os.environ["NUMBERPOOL_BENCH_POSTGRES_URL"] = pg
    import tempfile

    for kind in kinds:
        with tempfile.TemporaryDirectory(prefix="npbench-") as tmp:
            sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
            db_url = run.fresh_db(kind, Path(tmp))
            proc, base = servers.numberpool(db_url, {"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token,
                                                     **run.NO_CACHE})
            try:
                print(kind, measure_messages(base, sid, token, db_url, args.count, args.reps), flush=True)
            finally:
                servers.stop(proc)
                run.drop_db(kind, db_url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
