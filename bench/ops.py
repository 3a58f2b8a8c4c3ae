"""The measured operations: each prepares its data, then gives wrk a URL and (for writes) a Lua script."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx

from numberpool.domain.inventory.countries import area_codes, country
from numberpool.domain.inventory.filters import Filters
from numberpool.domain.inventory.search import search


@dataclass
class Load:
    url: str
    lua: str | None = None


def _lua_cycle(lines: list[str], file: Path) -> str:
    """A wrk script that sends one request per line of ``file`` ("METHOD PATH [BODY]"), in order, cycling."""
    file.write_text("\n".join(lines) + "\n")
    return f"""
local reqs = {{}}
for line in io.lines("{file}") do
  local method, path, body = line:match("^(%S+) (%S+) ?(.*)$")
  reqs[#reqs + 1] = {{method, path, body}}
end
local form = {{}}
-- wrk calls request() once to check the script before the load starts (script_verify_request):
-- that call takes the last line, so the load itself starts at the first.
local i = #reqs - 1
request = function()
  i = i % #reqs + 1
  local r = reqs[i]
  if r[3] ~= "" then
    if next(form) == nil then
      for k, v in pairs(wrk.headers) do form[k] = v end  -- keep the Authorization header
      form["Content-Type"] = "application/x-www-form-urlencoded"
    end
    return wrk.format(r[1], r[2], form, r[3])
  end
  return wrk.format(r[1], r[2])
end
"""


class Operations:
    """Data and load definitions for the interleaved rounds, against one running numberpool."""

    def __init__(self, base: str, sid: str, token: str, workdir: Path, provision_supply: int) -> None:
        self.base, self.sid = base, sid
        self.h = httpx.Client(base_url=base, auth=(sid, token), timeout=60)
        self.workdir = workdir
        acc = f"/2010-04-01/Accounts/{sid}"
        self.numbers = [self._provision({"AreaCode": "415"}) for _ in range(60)]
        self.fetch = Load(f"{base}{acc}/IncomingPhoneNumbers/{self.numbers[0]}.json")
        self.list = Load(f"{base}{acc}/IncomingPhoneNumbers.json?PageSize=50")
        ks = self._post("/proxy/v1/Services", {"UniqueName": "bench"})
        self._post(f"/proxy/v1/Services/{ks}/PhoneNumbers", {"Sid": self.numbers[1]})
        self.proxy_fetch = Load(f"{base}/proxy/v1/Services/{ks}/PhoneNumbers/{self.numbers[1]}")
        self.pool = [self._provision({"AreaCode": "212"}) for _ in range(1000)]
        self.acc = acc
        self.supply = self._supply(provision_supply)
        self._service: str | None = None
        self._inbound: Load | None = None
        self._inbound_forms: list[str] = []
        self._message_from: Load | None = None
        self._message_service: Load | None = None
        self._call: Load | None = None

    def _post(self, path: str, data: dict[str, str]) -> str:
        r = self.h.post(path, data=data)
        r.raise_for_status()
        return r.json()["sid"]

    def _provision(self, data: dict[str, str]) -> str:
        return self._post(f"/2010-04-01/Accounts/{self.sid}/IncomingPhoneNumbers.json", data)

    @staticmethod
    def _supply(count: int) -> list[str]:
        """Available numbers to provision by PhoneNumber, as a client does after a search."""
        us = country("US")
        out: list[str] = []
        for area in itertools.islice((a for a in area_codes("US") if a not in ("212", "415")), 400):
            found = search(us, "Local", Filters(area_code=area), lambda b: set(), 1000)
            out += [f.phone_number for f in found]
            if len(out) >= count:
                break
        return out[:count]

    def provision(self, per_window: int, name: str = "provision") -> Load:
        """Provision by PhoneNumber from numbers no window has used yet (never the update path).
        ``name`` names the script's request file: each load of one round needs its own."""
        batch, self.supply = self.supply[:per_window], self.supply[per_window:]
        if len(batch) < per_window:
            raise RuntimeError("the provisioning supply ran out: raise provision_supply")
        lines = [f"POST {self.acc}/IncomingPhoneNumbers.json PhoneNumber=%2B{e[1:]}" for e in batch]
        return Load(f"{self.base}{self.acc}/IncomingPhoneNumbers.json", _lua_cycle(lines, self.workdir / f"{name}.txt"))

    def messaging(self) -> Load:
        """Add to and remove from a fresh Messaging Service: adds of all pool numbers, then removes."""
        if self._service is not None:
            self.h.delete(f"/messaging/v1/Services/{self._service}")  # frees its numbers
        self._service = mg = self._post("/messaging/v1/Services", {"FriendlyName": "bench"})
        path = f"/messaging/v1/Services/{mg}/PhoneNumbers"
        lines = [f"POST {path} PhoneNumberSid={pn}" for pn in self.pool] + [f"DELETE {path}/{pn}" for pn in self.pool]
        return Load(f"{self.base}{path}", _lua_cycle(lines, self.workdir / "messaging.txt"))

    def message_from(self, recipients: int = 10_000) -> Load:
        """``messages.create`` with ``From`` (one of the account's 415 numbers) and no status
        callback, ``To`` cycling over +1415555XXXX (made on the first call, the same every round)."""
        if self._message_from is None:
            sender = next(e164 for e164 in (self._number(pn) for pn in self.numbers[2:]) if not e164.startswith("+1415555"))
            forms = [f"To=%2B1415555{i:04d}&From=%2B{sender[1:]}&Body=numberpool+bench+{i}" for i in range(recipients)]
            self._message_from = self._messages(forms, "message-from.txt", warm=16)
        return self._message_from

    def message_service(self, numbers: int = 400, recipients: int = 1000) -> Load:
        """``messages.create`` through a Messaging Service with sticky sender on and ``numbers``
        numbers bought with AreaCode 415 (made on the first call), ``To`` cycling over
        ``recipients`` numbers: each is sent one message before the first round, so the rounds
        measure a Service whose recipients already have their sticky sender."""
        if self._message_service is None:
            mg = self._post("/messaging/v1/Services", {"FriendlyName": "bench sticky", "StickySender": "true"})
            for _ in range(numbers):
                pn = self._provision({"AreaCode": "415"})
                self._post(f"/messaging/v1/Services/{mg}/PhoneNumbers", {"PhoneNumberSid": pn})
            forms = [f"To=%2B1415555{i:04d}&MessagingServiceSid={mg}&Body=numberpool+bench+{i}" for i in range(recipients)]
            self._message_service = self._messages(forms, "message-service.txt", warm=recipients)
        return self._message_service

    def call(self, url: str, recipients: int = 10_000) -> Load:
        """``calls.create`` with ``From`` (one of the account's numbers), ``Url`` on the bench
        receiver (its ``<Response><Say>hi</Say></Response>``: the call rings, is answered, runs
        one verb and completes, all in the background) and no status callback, ``To`` cycling over
        +1415556XXXX numbers the account does not hold (a call to a hosted number would ring an
        inbound leg too). Made on the first call, the same every round; the first 16 calls are
        placed, settled and checked completed with their one ``Say`` before any window."""
        if self._call is None:
            owned = self._owned()
            sender = next(e164 for e164 in (self._number(pn) for pn in self.numbers[2:]) if not e164.startswith("+1415556"))
            to = [e164 for e164 in (f"+1415556{i:04d}" for i in range(recipients)) if e164 not in owned]
            forms = [f"To=%2B{e[1:]}&From=%2B{sender[1:]}&Url={quote(url, safe='')}" for e in to]
            self._call, placed = self._creates("Calls.json", forms, "call.txt", warm=16)
            for sid in placed:
                r = self.h.get(f"/numberpool/v1/Calls/{sid}")
                r.raise_for_status()
                view = r.json()
                verbs = [v["verb"] for v in view["verbs"]]
                if view["status"] != "completed" or verbs != ["Say"]:
                    raise RuntimeError(f"call {sid} ended {view['status']} having run {verbs}, not completed after one Say")
        return self._call

    def calls_not_completed(self) -> list[str]:
        """The statuses other than ``completed`` that some call of the account has (none once the
        call row's windows have all been settled: every call it placed completed)."""
        found = []
        for status in ("queued", "ringing", "in-progress", "busy", "failed", "no-answer", "canceled"):
            r = self.h.get(f"{self.acc}/Calls.json", params={"Status": status, "PageSize": "1"})
            r.raise_for_status()
            if r.json()["calls"]:
                found.append(status)
        return found

    def _owned(self) -> set[str]:
        """Every number the account holds now."""
        owned: set[str] = set()
        url: str | None = f"{self.acc}/IncomingPhoneNumbers.json?PageSize=1000"
        while url:
            r = self.h.get(url)
            r.raise_for_status()
            owned |= {n["phone_number"] for n in r.json()["incoming_phone_numbers"]}
            url = r.json()["next_page_uri"]
        return owned

    def _messages(self, forms: list[str], name: str, warm: int) -> Load:
        return self._creates("Messages.json", forms, name, warm)[0]

    def _creates(self, resource: str, forms: list[str], name: str, warm: int) -> tuple[Load, list[str]]:
        """A cycling load of creates of ``resource`` with ``forms``; the first ``warm`` of them
        sent once first (each must answer 201: a failing endpoint stops the run here), then
        settled; and the SIDs those made."""
        path = f"{self.acc}/{resource}"
        made = []
        for form in forms[:warm]:
            r = self.h.post(path, content=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
            if r.status_code != 201:
                raise RuntimeError(f"{path} answered {r.status_code}: {r.text[:500]}")
            made.append(r.json()["sid"])
        self.settle()
        load = Load(f"{self.base}{path}", _lua_cycle([f"POST {path} {form}" for form in forms], self.workdir / name))
        return load, made

    def settle(self) -> None:
        """Wait until the account's pending work is done: every message has its final status,
        every call has ended (numberpool's Settle)."""
        r = self.h.post("/numberpool/v1/Settle", data={"Timeout": "300"}, timeout=320)
        if r.status_code != 200:
            raise RuntimeError(f"Settle answered {r.status_code}: {r.text[:500]}")

    def _number(self, pn: str) -> str:
        r = self.h.get(f"{self.acc}/IncomingPhoneNumbers/{pn}.json")
        r.raise_for_status()
        return r.json()["phone_number"]

    def inbound(self, webhook: str, numbers: int = 8) -> Load:
        """Inbound messages to ``numbers`` numbers of the main account (bought on the first call, each
        with its SmsUrl on ``webhook``), one after another: with one wrk thread, each of that many
        connections has a different number in flight."""
        if self._inbound is None:
            to = []
            for _ in range(numbers):
                r = self.h.post(f"{self.acc}/IncomingPhoneNumbers.json", data={"AreaCode": "415"})
                r.raise_for_status()
                pn, e164 = r.json()["sid"], r.json()["phone_number"]
                self.h.post(f"{self.acc}/IncomingPhoneNumbers/{pn}.json", data={"SmsUrl": webhook}).raise_for_status()
                to.append(e164)
            path = "/numberpool/v1/InboundMessages"
            self._inbound_forms = [f"To=%2B{e[1:]}&From=%2B15005550006&Body=hi" for e in to]
            lines = [f"POST {path} {form}" for form in self._inbound_forms]
            self._inbound = Load(f"{self.base}{path}", _lua_cycle(lines, self.workdir / "inbound.txt"))
            self.warm_inbound(self._inbound.url)
        return self._inbound

    def warm_inbound(self, url: str) -> None:
        """Send each inbound request of ``inbound`` once to ``url`` (numberpool's, or a floor app's),
        each expecting 201: a failing endpoint stops the run here, and what a server does once (its
        webhook client, its first connections) is not counted in the first round."""
        for form in self._inbound_forms:
            r = self.h.post(url, content=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
            if r.status_code != 201:
                raise RuntimeError(f"{url} answered {r.status_code}: {r.text[:500]}")
