"""The sandbox phone in a real headless Chromium (issue 16), run by scripts/browser-test.

An agent sends a message with choices to a member playing the sandbox phone; the page shows it
as buttons; the test taps one and sends a photo; the API then shows the answer as a choice, the
photo as fetched media, and a proof made from that photo. Screenshots go to $SCREENSHOTS.

    python3 Tests/Browser/sandbox_phone.py http://127.0.0.1:8095 .data/demo-credentials.json
"""

import json
import os
import struct
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
import zlib

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE, CREDENTIALS = sys.argv[1], sys.argv[2]
SHOTS = os.environ.get("SCREENSHOTS", ".data/screenshots")
RUN = uuid.uuid4().hex[:8]


def call(method, path, body=None, token=None, headers=None):
    """One JSON request to the API; returns (status, parsed body)."""
    request = urllib.request.Request(BASE + path, method=method)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, data, timeout=30) as response:
            text = response.read().decode()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        text = error.read().decode()
        return error.code, json.loads(text) if text.startswith("{") else text


def ok(method, path, body=None, token=None, expect=(200, 201)):
    status, answer = call(method, path, body, token)
    assert status in expect, f"{method} {path} -> {status} {answer}"
    return answer


def eventually(what, check, seconds=20):
    """Polls `check` until it returns something truthy."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError("timed out waiting for " + what)


def png(width=64, height=48):
    """A small orange PNG, made here (no image library needed)."""
    row = b"\x00" + b"\xff\x80\x20" * width
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b"")


def main():
    os.makedirs(SHOTS, exist_ok=True)
    credentials = json.load(open(CREDENTIALS))
    token = ok("POST", "/v1/auth/login", {"email": credentials["adminEmail"], "password": credentials["adminPassword"]})["token"]

    # A sandbox adapter, and a crew member of a subcontractor of our own (demo data may change).
    secret = "sandbox-" + uuid.uuid4().hex
    adapter = ok("POST", "/v1/adapters", {"provider": "sandbox", "name": "Sandbox " + RUN, "credentials": {"secret": secret}}, token)
    assert adapter["webhook_url"].endswith("/v1/hooks/sandbox/" + adapter["id"]), adapter
    company = ok("POST", "/v1/organizations", {"kind": "subcontractor", "name": "Grúas Sandbox " + RUN}, token)
    crew_member = ok("POST", "/v1/members", {"organization_id": company["id"], "name": "Ana Sandbox " + RUN}, token)

    # Without the secret the phone's API tells nothing.
    status, refused = call("GET", "/v1/sandbox/%s/members" % adapter["id"], headers={"X-Sandbox-Secret": "wrong-secret-0000000"})
    assert status == 401 and refused["error"]["code"] == "invalid_secret", (status, refused)

    options = Options()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=480,900"):
        options.add_argument(argument)
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
    wait = WebDriverWait(driver, 20)
    try:
        # GET / points at the phone.
        home = ok("GET", "/")
        assert home["links"]["sandbox"] == "/sandbox", home

        driver.get(BASE + "/sandbox#adapter=%s&secret=%s" % (adapter["id"], secret))
        driver.find_element(By.ID, "connect").click()
        wait.until(lambda d: d.find_element(By.ID, "member-form").is_displayed())
        Select(driver.find_element(By.ID, "member")).select_by_value(crew_member["id"])
        driver.find_element(By.ID, "open").click()
        wait.until(lambda d: d.find_element(By.ID, "composer").is_displayed())

        # The member writes first: a conversation opens through the inbound pipeline.
        driver.find_element(By.ID, "text").send_keys("Hola, soy Ana")
        driver.find_element(By.ID, "send").click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".bubble.sent"))
        conversation = eventually("the conversation", lambda: next(iter(
            ok("GET", "/v1/conversations?member_id=" + crew_member["id"], token=token)["data"]), None))

        # The agent asks, with choices: the outbox delivers them to the phone as buttons.
        question = ok("POST", "/v1/conversations/%s/messages" % conversation["id"], {
            "text": "¿Puedes ir a Calle Mayor 5 hoy?",
            "choices": [{"id": "job-%s:accept" % RUN, "title": "Sí, voy"}, {"id": "job-%s:decline" % RUN, "title": "No puedo"}]}, token)
        button = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, 'button.choice[data-choice-id="job-%s:accept"]' % RUN))
        driver.save_screenshot(os.path.join(SHOTS, "sandbox-1-question.png"))
        # The phone showed it: Fieldline hears "read".
        def status_of(message_id):
            messages = ok("GET", "/v1/conversations/%s/messages" % conversation["id"], token=token)["data"]
            return next((m["delivery_status"] for m in messages if m["id"] == message_id), None)
        eventually("the question read", lambda: status_of(question["id"]) == "read")
        button.click()

        # A photo from the phone's file input.
        photo = os.path.join(tempfile.mkdtemp(), "proof.png")
        with open(photo, "wb") as file:
            file.write(png())
        driver.find_element(By.ID, "photo").send_keys(photo)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, '.bubble.sent[data-kind="image"]'))
        wait.until(lambda d: d.find_element(By.CSS_SELECTOR, '.bubble.sent[data-kind="image"] img').get_attribute("src").startswith("blob:"))
        driver.save_screenshot(os.path.join(SHOTS, "sandbox-2-answered.png"))

        # The API: the answer is a choice naming its id; the photo is fetched media.
        def inbound():
            messages = ok("GET", "/v1/conversations/%s/messages" % conversation["id"], token=token)["data"]
            return [m for m in messages if m["direction"] == "inbound"]
        answer = eventually("the choice", lambda: next((m for m in inbound() if m["kind"] == "choice"), None))
        assert answer["payload"]["choice_id"] == "job-%s:accept" % RUN, answer
        image = eventually("the fetched photo", lambda: next(
            (m for m in inbound() if m["kind"] == "image" and (m.get("media") or {}).get("status") == "fetched"), None))
        media = ok("GET", "/v1/media/" + image["media"]["id"], token=token)
        assert media["content_type"] == "image/png" and media["provider"] == "sandbox", media

        # A proof of service made from the phone's photo, as an ERP would pull it.
        job = ok("POST", "/v1/jobs", {"order_number": "SBX-" + RUN, "title": "Sandbox tow", "status": "assigned",
                                     "organization_id": company["id"], "conversation_id": conversation["id"]}, token)
        proof = ok("POST", "/v1/jobs/%s/proofs" % job["id"], {"message_ids": [image["id"]], "note": "from the sandbox phone"}, token)
        listed = ok("GET", "/v1/proofs?order_number=SBX-" + RUN, token=token)["data"]
        assert [p["id"] for p in listed] == [proof["id"]], listed
        assert any(m["id"] == image["media"]["id"] for m in proof["media"]), proof
        print("sandbox phone: question shown, choice answered, photo fetched, proof %s recorded" % proof["id"])
    except BaseException:
        driver.save_screenshot(os.path.join(SHOTS, "sandbox-failure.png"))
        print(driver.find_element(By.TAG_NAME, "body").text[-2000:], file=sys.stderr)
        raise
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
