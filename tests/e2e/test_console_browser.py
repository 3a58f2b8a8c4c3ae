"""The console in a real browser: headless Chromium (Debian's ``chromium`` and ``chromium-driver``)
driven by Selenium, against a server of its own on SQLite and on PostgreSQL.

A person signs in with the form, finds a number with the search box, sees where its SMS goes,
sends a test SMS with the form and sees the event with its 200 delivery and the webhook's reply;
the page fits a phone-width window without horizontal scrolling. Messages sent through the API
(one made undelivered by a DeliveryRule) appear with their statuses and status callbacks, and a call
with the verbs its TwiML ran and its <Dial>'s leg. A page on another port of the
same host cannot sign the browser in to another account (login CSRF: the console checks Origin). With
NUMBERPOOL_UPDATE_SCREENSHOT=1 the SQLite run saves docs/console.png (1280x800) for the README.
"""

from __future__ import annotations

import os
import secrets
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import numberpool
from tests.conftest import Server, fresh_database, require_postgres, start_server, stop_server, unavailable
from tests.receiver import Receiver, running

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "console.png"
INSTALL = "apt-get install chromium chromium-driver (Debian's packages; .ci/run installs them)"


def require_chromium() -> tuple[str, str]:
    """Chromium, its driver and Selenium: a failure in CI when missing, a skip on a laptop."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    missing = [name for name, path in (("chromium", chromium), ("chromedriver", driver)) if not path]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package (pip install -e '.[test]')")
    if missing:
        unavailable(f"no headless browser to test the console with: missing {', '.join(missing)}; {INSTALL}")
    assert chromium and driver
    return chromium, driver


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium, chromedriver = require_chromium()
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-extensions", "--window-size=1280,800", "--force-device-scale-factor=1", "--lang=en-US",
                "--hide-scrollbars"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=chromedriver))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def viewport(driver: Any, width: int, height: int, mobile: bool = False) -> None:
    """Emulate exactly this viewport (the window's own size includes no browser chrome headless, but be sure)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def own_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Server]]:
    """A server of this test's own, so the page shows only what the test made."""
    if request.param == "postgres":
        require_postgres()
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    with fresh_database(request.param, tmp_path_factory) as db_url:
        proc, base_url = start_server(db_url, {"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token})
        try:
            yield request.param, Server(base_url, sid, token, db_url)
        finally:
            stop_server(proc)


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with running() as r:
        yield r


def no_horizontal_scroll(driver: Any) -> bool:
    return bool(driver.execute_script(
        "const d = document.documentElement; return d.scrollWidth <= d.clientWidth && document.body.scrollWidth <= d.clientWidth;"))


def open_all_details(driver: Any) -> None:
    """Open every <details> (test forms, request parameters): they must fit too."""
    driver.execute_script("document.querySelectorAll('details').forEach(d => { d.open = true; })")


def sign_in_with_the_form(browser: Any, server: Server, landmark: str) -> None:
    """Sign in as the main account with the console's form, from a browser without the console's
    cookies (cookies are per host, not per port: an earlier run's are forgotten), on a desktop-sized
    window; then wait until the element ``landmark`` (an id) is there."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    viewport(browser, 1280, 800)
    browser.get(server.base_url + "/console")
    browser.delete_all_cookies()
    browser.get(server.base_url + "/console")
    browser.find_element(By.NAME, "AccountSid").send_keys(server.account_sid)
    browser.find_element(By.NAME, "AuthToken").send_keys(server.auth_token)
    browser.find_element(By.CSS_SELECTOR, "form[action='/console/sign-in'] button").click()
    WebDriverWait(browser, 30).until(ec.presence_of_element_located((By.ID, landmark)))


def test_a_person_signs_in_finds_a_number_and_sends_a_test_sms(browser: Any, own_server: tuple[str, Server],
                                                                receiver: Receiver):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    kind, server = own_server
    sms_path = f"/sms-{kind}"  # the receiver serves both databases' runs
    sms_url = receiver.answer(sms_path, body="<Response><Message>hi back</Message></Response>")
    client = numberpool.client(server.base_url, server.account_sid, server.auth_token)
    sub = client.api.v2010.accounts.create(friendly_name="Support team")
    sub_client = numberpool.client(server.base_url, sub.sid, sub.auth_token)
    number = sub_client.incoming_phone_numbers.create(area_code="415", friendly_name="Front desk", sms_url=sms_url)
    other = sub_client.incoming_phone_numbers.create(area_code="212", friendly_name="Night line")
    service = sub_client.messaging.v1.services.create(friendly_name="Alerts", inbound_request_url=sms_url)
    sub_client.messaging.v1.services(service.sid).phone_numbers.create(phone_number_sid=other.sid)
    wait = WebDriverWait(browser, 30)
    sign_in_with_the_form(browser, server, "numbers")
    assert server.account_sid in browser.find_element(By.CSS_SELECTOR, "header .who").text
    assert sub.sid in browser.find_element(By.ID, "accounts").text
    assert browser.execute_script("return document.cookie") == ""  # HttpOnly: no script reads the session

    # find the number with the search box, and see where its SMS goes
    search = browser.find_element(By.CSS_SELECTOR, "form[role=search] input[name=q]")
    search.send_keys("front")
    browser.find_element(By.CSS_SELECTOR, "form[role=search] button").click()
    wait.until(ec.url_contains("q=front"))
    cards = browser.find_elements(By.CSS_SELECTOR, "#numbers article.number")
    assert [c.get_attribute("data-number") for c in cards] == [number.phone_number]
    route = cards[0].find_element(By.CSS_SELECTOR, ".route.sms")
    assert route.get_attribute("data-route") == "number"
    assert f"POST {sms_url}" in route.text and "the number's own SMS URL" in route.text

    # send a test SMS with the form
    cards[0].find_element(By.TAG_NAME, "summary").click()
    form = cards[0].find_element(By.CSS_SELECTOR, "form.sms-form")
    sender = form.find_element(By.NAME, "From")
    sender.clear()
    sender.send_keys("+12125550199")
    body = form.find_element(By.NAME, "Body")
    body.clear()
    body.send_keys("Is the shop open today?")
    form.find_element(By.TAG_NAME, "button").click()

    # the event, with its 200 delivery and the reply
    result = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#result article.event")))
    sid = result.get_attribute("data-sid")
    assert sid.startswith("SM") and "q=front" in browser.current_url
    delivery = result.find_element(By.CSS_SELECTOR, ".delivery")
    assert "primary" in delivery.text and f"POST {sms_url}" in delivery.text
    assert delivery.find_element(By.CSS_SELECTOR, ".badge.ok").text == "200"
    assert "hi back" in result.find_element(By.CSS_SELECTOR, ".replies").text
    assert "+12125550199" in result.text and "Is the shop open today?" in result.text
    assert browser.find_elements(By.CSS_SELECTOR, f"#events article[data-sid='{sid}']")
    seen = receiver.requests(sms_path)[-1]
    assert seen.form["Body"] == "Is the shop open today?" and seen.form["To"] == number.phone_number
    assert no_horizontal_scroll(browser)
    if kind == "sqlite" and os.environ.get("NUMBERPOOL_UPDATE_SCREENSHOT") == "1":
        browser.execute_script("window.scrollTo(0, 0)")
        SCREENSHOT.parent.mkdir(exist_ok=True)
        SCREENSHOT.write_bytes(browser.get_screenshot_as_png())

    # a phone-width window: everything wraps, nothing scrolls sideways
    viewport(browser, 390, 844, mobile=True)
    browser.get(server.base_url + "/console")
    wait.until(ec.presence_of_element_located((By.ID, "events")))
    open_all_details(browser)
    assert no_horizontal_scroll(browser)
    browser.get(server.base_url + "/console?event=" + sid)
    wait.until(ec.presence_of_element_located((By.ID, "result")))
    open_all_details(browser)
    assert no_horizontal_scroll(browser)

    # sign out
    viewport(browser, 1280, 800)
    browser.find_element(By.CSS_SELECTOR, "form[action='/console/sign-out'] button").click()
    wait.until(ec.presence_of_element_located((By.NAME, "AuthToken")))
    browser.get(server.base_url + "/console")
    assert browser.find_elements(By.NAME, "AuthToken") and not browser.find_elements(By.ID, "numbers")


def test_a_person_sees_the_messages_sent_with_their_statuses_and_callbacks(browser: Any, own_server: tuple[str, Server],
                                                                          receiver: Receiver):
    from selenium.webdriver.common.by import By

    kind, server = own_server
    status_url = receiver.answer(f"/message-status-{kind}", body="", content_type="text/plain")
    client = numberpool.client(server.base_url, server.account_sid, server.auth_token)
    number = client.incoming_phone_numbers.create(area_code="415")
    with server.http() as h:
        rule = h.post("/numberpool/v1/DeliveryRules", data={"To": "+1212*", "Status": "undelivered", "ErrorCode": "30003"})
        assert rule.status_code == 201, rule.text
        lost = client.messages.create(to="+12125550123", from_=number.phone_number, body="<i>lost</i>",
                                      status_callback=status_url)
        arrived = client.messages.create(to="+14155550111", from_=number.phone_number, body="arrived",
                                         status_callback=status_url)
        assert h.post("/numberpool/v1/Settle", data={"Timeout": "30"}).status_code == 200
    sign_in_with_the_form(browser, server, "messages")
    cards = browser.find_elements(By.CSS_SELECTOR, "#messages article.message")
    assert [c.get_attribute("data-sid") for c in cards][:2] == [arrived.sid, lost.sid]  # newest first
    head = cards[1].find_element(By.CSS_SELECTOR, ".head").text
    assert "undelivered" in head and "error 30003" in head
    assert "<i>lost</i>" in cards[1].text and not cards[1].find_elements(By.TAG_NAME, "i")  # shown as text
    got = [(d.get_attribute("data-status"), d.find_element(By.CSS_SELECTOR, ".badge.ok").text)
           for d in cards[1].find_elements(By.CSS_SELECTOR, ".delivery")]
    assert got == [("sent", "200"), ("undelivered", "200")]
    assert cards[0].get_attribute("data-status") == "delivered"
    viewport(browser, 390, 844, mobile=True)
    open_all_details(browser)
    assert no_horizontal_scroll(browser)
    viewport(browser, 1280, 800)


def test_a_person_sees_a_call_its_legs_and_what_its_twiml_did(browser: Any, own_server: tuple[str, Server],
                                                               receiver: Receiver):
    from selenium.webdriver.common.by import By

    kind, server = own_server
    status_url = receiver.answer(f"/call-status-{kind}", body="", content_type="text/plain")
    client = numberpool.client(server.base_url, server.account_sid, server.auth_token)
    number = client.incoming_phone_numbers.create(area_code="415")
    call = client.calls.create(to="+14155550122", from_=number.phone_number, status_callback=status_url,
                               twiml='<Response><Say>Hello &lt;b&gt;there&lt;/b&gt;</Say><Dial>+14155550133</Dial></Response>')
    with server.http() as h:
        assert h.post("/numberpool/v1/Settle", data={"Timeout": "30"}).status_code == 200
    [child] = client.calls.list(parent_call_sid=call.sid)
    sign_in_with_the_form(browser, server, "calls")
    open_all_details(browser)
    card = browser.find_element(By.CSS_SELECTOR, f"#calls article.call[data-sid='{call.sid}']")
    assert card.get_attribute("data-status") == "completed"
    verbs = [v.get_attribute("data-verb") for v in card.find_elements(By.CSS_SELECTOR, ":scope > ol.verbs > li.verb")]
    assert verbs == ["Say", "Dial"]
    assert "Hello <b>there</b>" in card.text and not card.find_elements(By.CSS_SELECTOR, "li.verb b")  # as text
    leg = card.find_element(By.CSS_SELECTOR, f".call.leg[data-sid='{child.sid}']")  # the Dial's child, below it
    assert leg.get_attribute("data-status") == "completed" and "outbound-dial" in leg.text
    viewport(browser, 390, 844, mobile=True)
    assert no_horizontal_scroll(browser)
    viewport(browser, 1280, 800)


ATTACK = """<!doctype html><html><body onload="document.forms[0].submit()">
<form method="post" action="{console}/console/sign-in">
<input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="AccountSid" value="{sid}">
<input type="hidden" name="AuthToken" value="{token}"></form></body></html>"""


@contextmanager
def attacker_page(console: str, sid: str, token: str) -> Iterator[tuple[str, list[str]]]:
    """A page on another port of 127.0.0.1 that signs the browser in to the attacker's account: the
    browser sends it the console's pre-session cookie (cookies go by host, not port, and the page
    sits under /console), so it can fill in the form's token. Yields its URL and the tokens it saw."""
    stolen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            jar = SimpleCookie(self.headers.get("cookie", ""))
            csrf = jar["numberpool_console_pre"].value if "numberpool_console_pre" in jar else ""
            stolen.append(csrf)
            body = ATTACK.format(console=console, csrf=csrf, sid=sid, token=token).encode()
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/console/attack", stolen
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_a_page_on_another_port_cannot_sign_the_browser_in(browser: Any, own_server: tuple[str, Server]):
    """Login CSRF across ports: the console refuses a form posted from another origin of the same host."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _, server = own_server
    client = numberpool.client(server.base_url, server.account_sid, server.auth_token)
    theirs = client.api.v2010.accounts.create(friendly_name="Attacker")
    wait = WebDriverWait(browser, 30)
    browser.get(server.base_url + "/console")
    browser.delete_all_cookies()
    browser.get(server.base_url + "/console")  # the sign-in page: its pre-session cookie is set
    assert browser.find_elements(By.NAME, "AuthToken")
    with attacker_page(server.base_url, theirs.sid, theirs.auth_token) as (url, stolen):
        browser.get(url)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".notice.error, #numbers"))  # the console answered
        assert not browser.find_elements(By.ID, "numbers"), "a page on another port signed the browser in"
        assert browser.current_url == server.base_url + "/console/sign-in"
        assert stolen and len(stolen[0]) == 32  # the form carried the right token: only its origin was wrong
    assert "sent from another site" in browser.find_element(By.CSS_SELECTOR, ".notice.error").text
    browser.get(server.base_url + "/console")
    assert browser.find_elements(By.NAME, "AuthToken") and not browser.find_elements(By.ID, "numbers")
    assert theirs.sid not in browser.page_source
