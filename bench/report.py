"""The benchmark's Markdown table and PNG chart, with the targets from the issue."""

from __future__ import annotations

from pathlib import Path

import messages_scale
import mock_vs_moto
import startup

TARGETS = {  # database -> operation -> minimum median ratio (bare CPU per request / numberpool CPU per request)
    "sqlite": {"fetch": 0.6, "list": 0.35, "provision": 0.25, "fetch, cache off": 0.5, "list, cache off": 0.15},
    # provision on PostgreSQL is judged against its floor (run.FLOOR_TARGETS), not the bare app
    "postgres": {"fetch": 0.4, "list": 0.25, "fetch, cache off": 0.25, "list, cache off": 0.1},
}
SCALE_TARGETS = (
    ("wildcard_ms_median", "`PhoneNumber=*555*` page, median ms", lambda v: v < 25, "< 25 ms"),
    ("deep_over_first", "page reached after the hops / page 1 latency", lambda v: v <= 1.3, "<= 1.3x"),
    ("peak_rss_mb_tree", "server peak RSS, MB (whole process tree)", lambda v: v < 250, "< 250 MB"),
)


def _mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


def markdown(results: dict) -> str:
    s = results["settings"]
    lines = [
        f"# numberpool benchmark ({results['when']}{', quick' if results['quick'] else ''})",
        "",
        (
            f"{s['rounds']} interleaved rounds of {s['window_s']:.0f} s windows per operation, wrk with "
            f"{s['connections']} connections on loopback, {s['cores']} cores. Ratio = bare app CPU per request / "
            "numberpool CPU per request (median over rounds; 1.0 would be as cheap as the bare server). "
            "The bare app runs on numberpool's own server software and settings (granian, 1 worker); numberpool "
            "runs with its access log off (`--no-access-log`). "
            "numberpool reuses a GET answer until the database next commits (any process, any writer; on "
            "PostgreSQL it asks with one query, `SELECT pg_current_snapshot()::text`, shared by the requests that "
            "arrived while it was not under way yet): `fetch` and "
            "`list` repeat one URL, so they measure that path; the `cache off` rows run the same requests on a "
            "second server process with the cache disabled, so they measure query and rendering. "
            "Every at-scale latency is measured with the cache off. The `floor` rows are no numberpool operation. "
            "On SQLite: a bare app that reads a form body and inserts one SQLite row (bench/bare_write_app.py), the least "
            "any write costs on this server software and database; and the same app asking phonenumbers for the "
            "country, type and national format of a number it has never seen, from the same supply as `provision` "
            "(bench/bare_provision_app.py), the least that buying such a number costs with the project's library "
            "for numbers; the next row runs that app on granian's RSGI interface instead of ASGI. "
            "`inbound message` (SQLite only) posts to numberpool's /numberpool/v1/InboundMessages for 8 numbers in turn, each "
            "with its SmsUrl on a trivial webhook receiver on loopback (bench/receiver_app.py, empty TwiML), and "
            "is answered once the webhook has answered; its floor, the last row, is a bare app that reads the same "
            "form bodies and makes one outbound form POST to the same receiver with a module-level httpx.AsyncClient "
            "(bench/bare_inbound_app.py). The receiver is a process of its own: its CPU is counted in neither row. "
            "On PostgreSQL the floors are one round trip through psycopg 3, numberpool's driver, on one connection "
            "in autocommit (bench/bare_pg.py): a bare app that answers each GET (the very request of `fetch`) after "
            "the change-stamp query above (bench/bare_pg_read_app.py), the least a read that checks for "
            "changes costs; and the phonenumbers floor inserting its row into PostgreSQL instead "
            "(bench/bare_provision_app.py with BARE_PG_URL), the least that buying a number costs there. The "
            "`vs` column gives another row's CPU per request ÷ this row's (median of the per-round ratios): on "
            "PostgreSQL the reads against the one-query floor, provision against its own; on SQLite the call "
            "against the inbound message. No CPU of the PostgreSQL server is counted, in any row. "
            "`messages.create (From)` sends an SMS (2010-04-01 Messages.json) from one of the account's numbers with "
            "no status callback, `To` cycling over 10,000 numbers; `messages.create (Service of 400, sticky)` sends "
            "through a Messaging Service of 400 numbers with sticky sender on, `To` cycling over 1,000 recipients "
            "that each have their sticky sender already. numberpool answers a create, then delivers the message in "
            "the background (its status changes): each of these windows ends with a Settle "
            "(`POST /numberpool/v1/Settle`) before the server's CPU is read, so that work is counted in its row. "
            "`call (one-verb TwiML)` places a call (2010-04-01 Calls.json) from one of the account's numbers, "
            "`To` cycling over +1415556XXXX numbers the account does not hold, its `Url` on the same trivial receiver answering "
            "`<Response><Say>hi</Say></Response>` (bench/receiver_app.py, `/call`), no status callback: numberpool "
            "answers `queued`, then in the background the call rings, is answered, fetches its Url, runs the "
            "`<Say>` and completes; its windows end with a Settle too, so a call's whole life is counted in "
            "its row. On SQLite its `vs` is the inbound message's CPU per event ÷ the call's CPU per call: an "
            "inbound message is one webhook request answered; a call is one TwiML fetch and its life's "
            "writes."
        ),
        "",
    ]
    for kind, data in results["databases"].items():
        summary = data["rounds"]["summary"]
        vs_floor = data["rounds"].get("vs_floor", {})
        extra = (" vs |", "---|") if vs_floor else ("", "")
        lines += [f"## {kind}", "",
                  f"| operation | ratio (median) | target | CPU µs/request | requests/s | non-2xx |{extra[0]}",
                  f"|---|---|---|---|---|---|{extra[1]}"]
        for op, v in summary.items():
            target = TARGETS.get(kind, {}).get(op)
            verdict = f">= {target} ({_mark(v['ratio_median'] >= target)})" if target else ""
            if op == "bare":
                verdict = "baseline"
            against = f" {vs_floor[op]['ratio_median']:.2f} |" if op in vs_floor else (" |" if vs_floor else "")
            lines.append(f"| {op} | {v['ratio_median']:.2f} | {verdict} | {v['cpu_us_median']:.0f} | "
                         f"{v['rps_median']:.0f} | {v['errors']} |{against}")
        for op, f in vs_floor.items():
            if f["target"] is None and not f["floor"].startswith("floor"):  # against another operation
                lines += ["", (f"{op} against {f['floor']}: {f['floor']} CPU/request ÷ {op} CPU/request = "
                               f"{f['ratio_median']:.2f} (median of the per-round ratios; quartiles "
                               f"{f['quartiles'][0]:.2f}-{f['quartiles'][1]:.2f}).")]
            if f["target"] is not None:
                lines += ["", (f"Target: {op} at least {f['target']:g} of its floor ({f['floor']}): floor CPU/request "
                               f"÷ {op} CPU/request = {f['ratio_median']:.2f} (median of the per-round ratios; "
                               f"quartiles {f['quartiles'][0]:.2f}-{f['quartiles'][1]:.2f}): "
                               f">= {f['target']:g} ({_mark(f['met'])}).")]
        hook = data["rounds"].get("inbound_vs_floor")
        if hook:
            lines += ["", (f"Target: inbound message within {hook['target']:g}x of the outbound-POST floor: inbound CPU/event "
                           f"÷ floor CPU/event = {hook['ratio_median']:.2f} (median of the per-round ratios; quartiles "
                           f"{hook['quartiles'][0]:.2f}-{hook['quartiles'][1]:.2f}): "
                           f"<= {hook['target']:g} ({_mark(hook['met'])}).")]
        create = data["rounds"].get("create_vs_provision")
        if create:
            lines += ["", ("Target: a create with From and no status callback costs no more CPU than provisioning a "
                           "number (the provision row, same run): messages.create (From) CPU/request ÷ provision "
                           f"CPU/request = {create['ratio_median']:.2f} (median of the per-round ratios; quartiles "
                           f"{create['quartiles'][0]:.2f}-{create['quartiles'][1]:.2f}): "
                           f"<= {create['target']:g} ({_mark(create['met'])}).")]
        lines.append("")
        if "scale" not in data:
            continue
        sc = data["scale"]
        lines += [f"At scale: one account with {sc['numbers']:,} numbers (bulk-loaded in {sc['bulk_load_seconds']:.0f} s).",
                  "", "| measure | value | target |", "|---|---|---|"]
        for key, label, ok, target in SCALE_TARGETS:
            lines.append(f"| {label} | {sc[key]:.2f} | {target} ({_mark(ok(sc[key]))}) |")
        lines += [
            f"| `FriendlyName` filter page, median ms | {sc['friendly_name_ms_median']:.2f} | |",
            (f"| page 1 / page {sc['deep_page']} latency, median ms | {sc['page1_ms_median']:.2f} / "
             f"{sc['deep_page_ms_median']:.2f} | |"),
            f"| {sc['hops']:,} `next_page_uri` hops took | {sc['hop_seconds']:.1f} s | |",
            f"| largest single process peak RSS, MB | {sc['peak_rss_mb_max_process']:.0f} | |",
        ]
        if "messages" in sc:
            lines += _messages_rows(sc["messages"])
        lines.append("")
        if "latency" in data:
            lat = data["latency"]
            lines += [(f"Throughput with {lat['delay_ms_each_way']:g} ms added to the database each way "
                       "(bench/latency.py: a relay delaying every chunk), against the same server and database "
                       "without it:"), "",
                      "| operation | req/s, no added latency | req/s, with it | with / without | target |",
                      "|---|---|---|---|---|"]
            for name, row in lat["rows"].items():
                target = f">= {lat['target_64']:g} ({_mark(row['far_over_near'] >= lat['target_64'])})" if "64" in name else ""
                lines.append(f"| {name} | {row['near_rps']:.0f} | {row['far_rps']:.0f} | {row['far_over_near']:.2f} | {target} |")
            lines.append("")
    if "inprocess" in results:
        lines += ["## In-process (numberpool.mock())", "",
                  ("CPU time per operation, median over interleaved rounds, beside moto's mock_aws() measured in the "
                  "same run (bench/mock_vs_moto.py): a fresh mock entered and left, and one fetch through the SDK "
                  "(numberpool: an IncomingPhoneNumber with twilio-python; moto: S3 HeadBucket with boto3)."), "",
                  mock_vs_moto.markdown(results["inprocess"]), ""]
    if "startup" in results:
        lines += ["## Start-up", "",
                  ("Wall-clock from launching the server to its first answered request, interleaved starts "
                  "(bench/startup.py): numberpool serve on an existing SQLite database with an authenticated "
                  "account fetch, moto_server with a signed S3 ListBuckets, a bare granian app, and the "
                   "same app started after `import sqlalchemy`: the floor of any server that reads its database "
                   "with SQLAlchemy. Every server starts from Python's bytecode caches, as an installed one "
                   "does (the environment's PYTHONDONTWRITEBYTECODE is removed for them; an untimed first "
                   "start writes the caches)."), "",
                  startup.markdown(results["startup"]), ""]
    return "\n".join(lines) + "\n"


def _messages_rows(m: dict) -> list[str]:
    """The at-scale rows of bench/messages_scale.py (after the RSS rows, which precede them)."""
    listed, ratio = m["list_by_to_ms_median"], m["sticky_400_over_1"]
    return [
        (f"| `To` filter page of messages (one of {m['recipients']:,} recipients, PageSize=50) among "
         f"{m['messages']:,} messages (bulk-inserted in {m['messages_load_seconds']:.0f} s), median ms | "
         f"{listed:.2f} | < {messages_scale.LIST_TARGET_MS:g} ms ({_mark(listed < messages_scale.LIST_TARGET_MS)}) |"),
        (f"| {m['batch']} creates through a Service + Settle, median ms: 400 numbers and {m['sticky_recipients']:,} "
         f"sticky recipients / 1 number | {m['sticky_400_batch_ms_median']:.1f} / {m['sticky_1_batch_ms_median']:.1f} | |"),
        (f"| the same, Service of 400 with the sticky map ÷ Service of 1 (median of {m['reps']} interleaved batch "
         f"ratios) | {ratio:.2f} | <= {messages_scale.STICKY_TARGET:g}x "
         f"({_mark(ratio <= messages_scale.STICKY_TARGET)}) |"),
    ]


def chart(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = list(results["databases"])
    ops = list(dict.fromkeys(op for kind in kinds for op in results["databases"][kind]["rounds"]["summary"] if op != "bare"))
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.8 / len(kinds)
    for i, kind in enumerate(kinds):
        summary = results["databases"][kind]["rounds"]["summary"]
        xs = [j + i * width for j in range(len(ops))]
        ax.bar(xs, [summary[op]["ratio_median"] if op in summary else 0 for op in ops], width, label=kind)
    for i, kind in enumerate(kinds):
        for j, op in enumerate(ops):
            if op in TARGETS.get(kind, {}):
                x = j + i * width
                ax.hlines(TARGETS[kind][op], x - width / 2, x + width / 2, colors="red", linestyles="dashed")
    ax.set_xticks([j + width * (len(kinds) - 1) / 2 for j in range(len(ops))], ops, rotation=20, ha="right")
    ax.set_ylabel("bare CPU/request ÷ numberpool CPU/request")
    ax.set_title("numberpool vs a bare ASGI app (higher is better; red: target)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
