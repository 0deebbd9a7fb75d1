#!/usr/bin/env python3
"""Fault tests (issue 15): break things on purpose and count what was lost.

Run through bench/run-faults (it builds the server and picks ports); see bench/README.md.
Each scenario starts a fresh cluster, one or two servers and a fake WhatsApp provider, then:

- webhook senders (one thread and one phone number each) post signed WhatsApp webhooks, each
  with its own provider message id, and retry the same webhook until it gets a 2xx;
- reply writers (one per conversation) post agent replies one after the other, each with its
  own Idempotency-Key, retried the same way; the outbox sends them to the fake provider;
- the scenario's fault happens meanwhile;
- at the end, every webhook that got a 2xx must be stored exactly once, and every reply that got
  a 2xx must reach the provider, in order per conversation, and never again after the server
  recorded it as sent.

Prints `acknowledged`, `lost` and `duplicated` for webhooks and replies; exits 1 when anything
was lost, duplicated or out of order, or the fault's own check failed. Standard library only;
every wait is bounded.
"""
import argparse, base64, hashlib, hmac, http.client, http.server, json, os, random, signal, socket, struct
import subprocess, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ingest_load import webhook  # noqa: E402  (the ingest benchmark's WhatsApp webhook body)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PHONE_NUMBER_ID = "106540352242922"
HOOKS = []  # the running scenario's webhook senders, for the faults' own checks
SECRET = "faults-secret"


def log(*parts):
    print(f"[{time.strftime('%H:%M:%S')}] " + " ".join(str(p) for p in parts), file=sys.stderr, flush=True)


def request(port, method, path, body=None, headers=None, timeout=5.0):
    """One HTTP call; returns (status, parsed JSON or None), or (None, error) on a network failure."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        connection.request(method, path, body=data, headers={"content-type": "application/json", **(headers or {})})
        response = connection.getresponse()
        raw = response.read()
        connection.close()
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, raw.decode(errors="replace")
    except (OSError, http.client.HTTPException) as error:
        return None, error


class FakeProvider:
    """The WhatsApp Cloud API's send endpoint on loopback. Records every send (text, recipient,
    the id it answered with); in `down` mode answers 500s and, every third request, hangs past
    the server's 15 s timeout."""

    def __init__(self, port):
        self.received = []  # (monotonic time, text, recipient, answered id)
        self.down = False
        self.lock = threading.Lock()
        self.failures = 0
        provider = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                if provider.down:
                    with provider.lock:
                        provider.failures += 1
                        hang = provider.failures % 3 == 0
                    if hang:
                        time.sleep(17)
                    self.answer(500, b'{"error":{"message":"fake outage","code":1}}')
                    return
                try:
                    message = json.loads(body)
                except ValueError:  # a sender killed while writing its request: nothing to record
                    self.answer(400, b'{"error":{"message":"unreadable body","code":100}}')
                    return
                with provider.lock:
                    answered = f"wamid.fake.{len(provider.received) + 1}"
                    provider.received.append((time.monotonic(), (message.get("text") or {}).get("body"), message.get("to"), answered))
                self.answer(200, json.dumps({"messaging_product": "whatsapp", "contacts": [{"wa_id": message.get("to")}],
                                             "messages": [{"id": answered}]}).encode())

            def answer(self, status, body):
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


class Servers:
    """One or two `fieldline serve` processes on one database, killed and restarted at will."""

    def __init__(self, binary, env, ports, logdir):
        self.binary, self.env, self.ports, self.logdir = binary, env, ports, logdir
        self.processes = {}
        self.kills = 0
        self.lock = threading.Lock()

    def start(self, port):
        out = open(os.path.join(self.logdir, f"server-{port}.log"), "ab")
        self.processes[port] = subprocess.Popen([self.binary, "serve"], env={**self.env, "PORT": str(port)},
                                                stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if request(port, "GET", "/health", timeout=1)[0] == 200:
                return
            time.sleep(0.05)
        raise RuntimeError(f"the server on {port} did not start (see {self.logdir})")

    def kill9(self, port):
        with self.lock:
            process = self.processes[port]
            process.send_signal(signal.SIGKILL)
            process.wait()
            self.kills += 1

    def stop_all(self):
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()

    def port(self):
        return random.choice(self.ports)


class Webhooks:
    """Senders of signed webhooks; each retries a webhook until some instance answers 2xx."""

    def __init__(self, servers, path, senders, give_up_at):
        self.servers, self.path, self.give_up_at = servers, path, give_up_at
        self.phones = [f"3460{random.randrange(10**7):07d}{i:03d}"[-11:] for i in range(senders)]
        self.acknowledged, self.retries, self.lock = set(), 0, threading.Lock()

    def send(self, phone, message_id):
        body = webhook(PHONE_NUMBER_ID, phone, message_id)
        signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        while time.monotonic() < self.give_up_at:
            status, _ = request(self.servers.port(), "POST", self.path, body, {"x-hub-signature-256": signature})
            if status is not None and 200 <= status < 300:
                with self.lock:
                    self.acknowledged.add(message_id)
                return True
            with self.lock:
                self.retries += 1
            time.sleep(0.05 + random.random() * 0.2)
        return False

    def run(self, stop, pause=0.0):
        def loop(index, phone):
            n = 0
            while not stop.is_set():
                n += 1
                self.send(phone, f"wamid.faults.{index}.{n}")
                time.sleep(pause)
        threads = [threading.Thread(target=loop, args=(i, p), daemon=True) for i, p in enumerate(self.phones)]
        for thread in threads:
            thread.start()
        return threads


class Replies:
    """One writer per conversation posting agent replies in sequence, each retried with its
    Idempotency-Key until it gets a 2xx."""

    def __init__(self, servers, token, conversations, give_up_at):
        self.servers, self.token, self.conversations, self.give_up_at = servers, token, conversations, give_up_at
        self.acknowledged, self.lock = [], threading.Lock()  # (conversation index, n, text)
        self.unanswered = {}  # text -> the last status of a reply never acknowledged

    def run(self, stop, pause=0.1):
        def loop(index, conversation):
            n = 0
            while not stop.is_set():
                n += 1
                text = f"reply c{index} n{n:05d}"
                key = f"faults-{conversation}-{n}"
                while time.monotonic() < self.give_up_at:
                    status, _ = request(self.servers.port(), "POST", f"/v1/conversations/{conversation}/messages", {"text": text},
                                        {"authorization": f"Bearer {self.token}", "idempotency-key": key})
                    if status is not None and 200 <= status < 300:
                        with self.lock:
                            self.acknowledged.append((index, n, text))
                            self.unanswered.pop(text, None)
                        break
                    with self.lock:
                        self.unanswered[text] = status if status is not None else "no answer"
                    time.sleep(0.05 + random.random() * 0.2)
                else:
                    return
                time.sleep(pause)
        threads = [threading.Thread(target=loop, args=(i, c), daemon=True) for i, c in enumerate(self.conversations)]
        for thread in threads:
            thread.start()
        return threads


def psql(database_url, sql):
    """Rows of one query run under the faults tenant (row-level security hides them otherwise)."""
    out = subprocess.run(["psql", database_url, "-qtAX", "-F", "\t",
                          "-c", "SELECT set_config('app.tenant_id', (SELECT id::text FROM tenants WHERE slug = 'faults'), false)",
                          "-c", sql], capture_output=True, text=True, check=True).stdout
    return [line.split("\t") for line in out.splitlines()[1:] if line]


def stream_events(port, token, seen, stop, ready):
    """Holds a WebSocket on /v1/stream and adds each `message.created` event's provider message id
    to `seen`; reconnects when the connection drops (the events in between are not asserted)."""
    while not stop.is_set():
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=2)
            key = base64.b64encode(os.urandom(16)).decode()
            sock.sendall((f"GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer {token}\r\n\r\n").encode())
            buffer = b""
            while b"\r\n\r\n" not in buffer:
                chunk = sock.recv(4096)
                if not chunk:
                    raise OSError("closed")
                buffer += chunk
            if b" 101 " not in buffer.split(b"\r\n")[0]:
                raise OSError("refused")
            buffer = buffer.split(b"\r\n\r\n", 1)[1]

            def take(n):
                nonlocal buffer
                while len(buffer) < n:
                    if stop.is_set():
                        raise OSError("stopped")
                    try:
                        chunk = sock.recv(65536)
                    except socket.timeout:
                        continue
                    if not chunk:
                        raise OSError("closed")
                    buffer += chunk
                out, buffer = buffer[:n], buffer[n:]
                return out

            message = b""
            while not stop.is_set():
                head = take(2)
                fin, opcode, length = head[0] & 0x80, head[0] & 0x0F, head[1] & 0x7F
                if length == 126:
                    length = struct.unpack("!H", take(2))[0]
                elif length == 127:
                    length = struct.unpack("!Q", take(8))[0]
                payload = take(length)
                if opcode == 0x9:
                    mask = os.urandom(4)
                    sock.sendall(bytes([0x8A, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
                elif opcode == 0x8:
                    break
                elif opcode in (0x0, 0x1):
                    message += payload
                    if fin:
                        event = json.loads(message)
                        message = b""
                        if event.get("type") == "stream.ready":
                            ready.set()
                        elif event.get("type") == "message.created":
                            seen.add((event.get("message") or {}).get("provider_message_id"))
            sock.close()
        except (OSError, ValueError):
            time.sleep(0.2)


def setup(args, env, servers):
    """A tenant, its admin, a WhatsApp adapter pointing at the fake provider, and one conversation
    per reply writer (opened by a first webhook from its own phone). Returns (token, hook path, conversations)."""
    run = lambda *a, **kw: subprocess.run([args.bin, *a], env={**env, **kw}, check=True, capture_output=True)
    run("migrate")
    run("tenant", "create", "--name", "Faults", "--slug", "faults")
    run("user", "create", "--tenant", "faults", "--email", "admin@faults.test", "--name", "Admin", "--role", "admin",
        FIELDLINE_PASSWORD="faults password 123")
    for port in servers.ports:
        servers.start(port)
    port = servers.ports[0]
    status, body = request(port, "POST", "/v1/auth/login", {"email": "admin@faults.test", "password": "faults password 123"})
    assert status == 200, (status, body)
    token = body["token"]
    status, body = request(port, "POST", "/v1/adapters", {
        "provider": "whatsapp", "name": "Faults",
        "credentials": {"access_token": "x", "app_secret": SECRET, "verify_token": "v"},
        "config": {"phone_number_id": PHONE_NUMBER_ID}}, {"authorization": f"Bearer {token}"})
    assert status == 201, (status, body)
    path = f"/v1/hooks/whatsapp/{body['id'].lower()}"
    opener = Webhooks(servers, path, args.conversations, time.monotonic() + 30)
    for i, phone in enumerate(opener.phones):
        assert opener.send(phone, f"wamid.faults.open.{i}")
    conversations = []
    status, body = request(port, "GET", "/v1/conversations?limit=200", headers={"authorization": f"Bearer {token}"})
    assert status == 200, (status, body)
    conversations = [c["id"] for c in body["data"]]
    assert len(conversations) == args.conversations, body
    return token, path, conversations


def verify(args, provider, hooks, replies, database_url):
    """Waits for the outbox to deliver every acknowledged reply, then counts. Returns failures."""
    expected = {text for _, _, text in replies.acknowledged}
    deadline = time.monotonic() + args.drain_seconds
    while time.monotonic() < deadline:
        with provider.lock:
            got = {text for _, text, _, _ in provider.received}
        if expected <= got:
            break
        time.sleep(0.5)
    failures = []

    stored = dict(psql(database_url, "SELECT provider_message_id, count(*) FROM messages WHERE direction = 'inbound' "
                                     "AND provider_message_id LIKE 'wamid.faults.%' GROUP BY 1"))
    acked = hooks.acknowledged if hooks else set()
    lost = [m for m in acked if m not in stored]
    duplicated = sum(int(c) - 1 for c in stored.values())
    print(f"webhooks  acknowledged {len(acked):6d}  lost {len(lost):3d}  duplicated {duplicated:3d}"
          f"  (stored {len(stored)}, retried sends {hooks.retries if hooks else 0})")
    if lost or duplicated:
        failures.append(f"webhooks lost {len(lost)} (e.g. {lost[:3]}), duplicated {duplicated}")

    # Each reply as stored: how many rows carry its text (idempotent retries make none twice),
    # and the provider id the server recorded when it completed the send.
    rows = psql(database_url, "SELECT body, count(*), max(provider_message_id) FROM messages "
                              "WHERE direction = 'outbound' AND body LIKE 'reply c%' GROUP BY 1")
    recorded = {body: pid for body, _, pid in rows}
    stored_twice = sum(int(c) - 1 for _, c, _ in rows)
    receipts = {}
    with provider.lock:
        for at, text, _, answered in provider.received:
            receipts.setdefault(text, []).append(answered)
    lost_replies = sorted(expected - set(receipts))
    # A second receipt is only a duplicate when the server had recorded the first: a kill, or the
    # database going away, between the provider's answer and the commit that records it makes the
    # worker send again (at-least-once towards a provider without idempotency keys), and the
    # record then names the last receipt. Those are counted as `resent, first send unrecorded`.
    resent = sum(1 for t, ids in receipts.items() if len(ids) > 1 and recorded.get(t) == ids[-1])
    repeated = [t for t, ids in receipts.items() if len(ids) > 1 and recorded.get(t) != ids[-1]]
    duplicated_replies = len(repeated) + stored_twice
    order_breaks = 0
    last = {}
    with provider.lock:
        for _, text, _, _ in provider.received:
            if not text or not text.startswith("reply c"):
                continue
            conversation, n = text.split()[1], int(text.split()[2][1:])
            if n < last.get(conversation, 0):
                order_breaks += 1
            last[conversation] = max(n, last.get(conversation, 0))
    print(f"replies   acknowledged {len(expected):6d}  lost {len(lost_replies):3d}  duplicated {duplicated_replies:3d}"
          f"  (resent, first send unrecorded {resent}; out of order {order_breaks})")
    if lost_replies:
        for row in psql(database_url, "SELECT id, attempts, round(extract(epoch FROM available_at - now())), dead_at IS NOT NULL, "
                                      "left(last_error, 120) FROM outbox WHERE done_at IS NULL AND topic = 'message.send' ORDER BY id LIMIT 10"):
            print("          unsent outbox row:", " | ".join(row))
        for row in psql(database_url, "SELECT pid, state, wait_event_type, wait_event, round(extract(epoch FROM now() - state_change)), "
                                      "left(query, 100) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"):
            print("          session:", " | ".join(row))
    if replies.unanswered:
        # Not counted as lost (never acknowledged), but a writer that stops being answered is a
        # finding: after a kill, a reply's Idempotency-Key can stay "in progress" (409) for 24 h.
        print(f"          never acknowledged: {len(replies.unanswered)} replies, last answers "
              f"{sorted(set(map(str, replies.unanswered.values())))}")
    if lost_replies or duplicated_replies:
        failures.append(f"replies lost {len(lost_replies)} (e.g. {lost_replies[:3]}), duplicated {duplicated_replies}")
    if order_breaks:
        failures.append(f"{order_breaks} replies reached the provider before an earlier one of their conversation")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=["kill", "pg-restart", "provider-down", "open-transaction"])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--pg-name", required=True)
    parser.add_argument("--pg-port", type=int, required=True)
    parser.add_argument("--ports", required=True, help="server ports, comma-separated (two for two instances)")
    parser.add_argument("--provider-port", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=10, help="how long the load (and the fault) lasts")
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--conversations", type=int, default=4)
    parser.add_argument("--drain-seconds", type=float, default=60)
    parser.add_argument("--fault-seconds", type=float, default=5, help="pg-restart: down time; provider-down: outage; open-transaction: how long it stays open")
    args = parser.parse_args()

    logdir = os.path.join(ROOT, ".data", f"faults-{args.scenario}-{args.pg_port}")
    os.makedirs(logdir, exist_ok=True)
    subprocess.run([f"{ROOT}/scripts/pg", "stop", args.pg_name, str(args.pg_port)], capture_output=True)
    subprocess.run(["rm", "-rf", f"{ROOT}/.data/{args.pg_name}"], check=True)
    database_url = subprocess.run([f"{ROOT}/scripts/pg", "start", args.pg_name, str(args.pg_port)], env={**os.environ, "FIELDLINE_PG_FAST": "1"},
                                  capture_output=True, text=True, check=True).stdout.strip()
    hexkey = lambda: os.urandom(32).hex()
    ports = [int(p) for p in args.ports.split(",")]
    env = {**os.environ, "DATABASE_URL": database_url, "SQL_DIR": f"{ROOT}/sql", "JWT_SECRET": hexkey(), "MASTER_KEY": hexkey(),
           "BCRYPT_COST": "4", "LOG_LEVEL": os.environ.get("FAULTS_LOG_LEVEL", "warning"), "JWT_TTL_SECONDS": "3600", "OUTBOX_LEASE_SECONDS": "3",
           "OUTBOX_MAX_ATTEMPTS": "100", "ADAPTER_CACHE_SECONDS": "30", "MEDIA_DIR": f"{logdir}/media",
           "WHATSAPP_API_URL": f"http://127.0.0.1:{args.provider_port}", "PUBLIC_URL": f"http://127.0.0.1:{ports[0]}"}
    provider = FakeProvider(args.provider_port)
    servers = Servers(args.bin, env, ports, logdir)
    failures = []
    try:
        token, path, conversations = setup(args, env, servers)
        stop = threading.Event()
        give_up_at = time.monotonic() + args.seconds + args.fault_seconds + 60
        hooks = Webhooks(servers, path, args.senders, give_up_at)
        HOOKS.append(hooks)
        replies = Replies(servers, token, conversations, give_up_at)
        seen, stream_stop, stream_ready = set(), threading.Event(), threading.Event()
        if args.scenario == "open-transaction":
            threading.Thread(target=stream_events, args=(ports[0], token, seen, stream_stop, stream_ready), daemon=True).start()
            stream_ready.wait(10)
        started = time.monotonic()
        threads = hooks.run(stop, pause=0.02) + replies.run(stop)
        log(f"{args.scenario}: load from {args.senders} senders and {args.conversations} reply writers on {ports} for {args.seconds:.0f}s")
        fault = {"kill": fault_kill, "pg-restart": fault_pg_restart, "provider-down": fault_provider_down,
                 "open-transaction": fault_open_transaction}[args.scenario]
        failures += fault(args, servers, provider, database_url, started)
        remaining = args.seconds - (time.monotonic() - started)
        if remaining > 0:
            time.sleep(remaining)
        stop.set()
        for thread in threads:
            thread.join(timeout=max(1, give_up_at - time.monotonic()))
        # Every instance up again for the drain (a kill may have left one down).
        for port in ports:
            if servers.processes[port].poll() is not None:
                servers.start(port)
        failures += verify(args, provider, hooks, replies, database_url)
        if args.scenario == "open-transaction":
            time.sleep(1)
            stream_stop.set()
            missing = [m for m in hooks.acknowledged if m not in seen]
            print(f"stream    events for acknowledged webhooks {len(hooks.acknowledged) - len(missing)} of {len(hooks.acknowledged)}")
            if missing:
                failures.append(f"{len(missing)} acknowledged webhooks never reached the stream (e.g. {missing[:3]})")
        if servers.kills:
            print(f"kill -9   {servers.kills} times")
    finally:
        servers.stop_all()
        provider.server.shutdown()
        subprocess.run([f"{ROOT}/scripts/pg", "stop", args.pg_name, str(args.pg_port)], capture_output=True)
    for failure in failures:
        print(f"FAILED: {failure}")
    print(f"{args.scenario}: {'FAILED' if failures else 'ok'}")
    sys.exit(1 if failures else 0)


def fault_kill(args, servers, provider, database_url, started):
    """kill -9 a random instance at random moments, restart it at once."""
    while time.monotonic() - started < args.seconds - 1:
        time.sleep(0.3 + random.random() * 1.5)
        port = servers.port()
        servers.kill9(port)
        servers.start(port)
    return []


def fault_pg_restart(args, servers, provider, database_url, started):
    """Stops PostgreSQL under load for --fault-seconds, starts it again, and watches /ready."""
    time.sleep(min(2, args.seconds / 4))
    ready, stop = [], threading.Event()

    def watch():
        while not stop.is_set():
            ready.append((time.monotonic(), request(servers.ports[0], "GET", "/ready", timeout=3)[0]))
            time.sleep(0.2)
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    subprocess.run([f"{ROOT}/scripts/pg", "stop", args.pg_name, str(args.pg_port)], capture_output=True, check=True)
    down_at = time.monotonic()
    time.sleep(args.fault_seconds)
    subprocess.run([f"{ROOT}/scripts/pg", "start", args.pg_name, str(args.pg_port)], capture_output=True, check=True,
                   env={**os.environ, "FIELDLINE_PG_FAST": "1"})
    up_at = time.monotonic()
    acked_at_up = len(HOOKS[0].acknowledged) if HOOKS else 0
    deadline = up_at + 30
    while time.monotonic() < deadline and not any(t > up_at and s == 200 for t, s in ready):
        time.sleep(0.2)
    stop.set()
    watcher.join()
    unavailable = any(s == 503 for t, s in ready if down_at < t < up_at)
    back = next((t for t, s in ready if t > up_at and s == 200), None)
    recovery = f"{back - up_at:.1f}s" if back else "never"
    print(f"ready     503 while down: {'yes' if unavailable else 'no'}; 200 again {recovery} after PostgreSQL was back"
          f" (down {up_at - down_at:.1f}s)")
    # The server recovers by itself: webhooks are acknowledged again within 20 s of /ready.
    recovered_by = (back or up_at) + 20
    while time.monotonic() < recovered_by and HOOKS and len(HOOKS[0].acknowledged) <= acked_at_up:
        time.sleep(0.2)
    after = len(HOOKS[0].acknowledged) - acked_at_up if HOOKS else 0
    print(f"ingest    webhooks acknowledged after PostgreSQL was back (within 20 s of /ready): {after}")
    failures = []
    if HOOKS and after == 0:
        failures.append("no webhook was acknowledged within 20 s of /ready answering 200 again: ingest did not recover")
    if not unavailable:
        failures.append("/ready never answered 503 while PostgreSQL was down")
    if back is None:
        failures.append("/ready did not answer 200 within 30 s of PostgreSQL coming back")
    return failures


def fault_provider_down(args, servers, provider, database_url, started):
    """The fake provider answers 500s and hangs for --fault-seconds."""
    time.sleep(min(2, args.seconds / 4))
    provider.down = True
    time.sleep(args.fault_seconds)
    provider.down = False
    print(f"provider  down {args.fault_seconds:.0f}s, {provider.failures} sends refused or hung")
    return [] if provider.failures else ["no send reached the provider while it was down"]


def fault_open_transaction(args, servers, provider, database_url, started):
    """A session opens a transaction (taking a snapshot and an xid, as a forgotten BEGIN in psql
    would) and leaves it idle for --fault-seconds; /metrics must show its age."""
    time.sleep(min(1, args.seconds / 4))
    session = subprocess.Popen(["psql", database_url, "-qX"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    session.stdin.write("BEGIN;\nSELECT txid_current();\nSELECT count(*) FROM outbox;\n")
    session.stdin.flush()
    time.sleep(args.fault_seconds)
    _, metrics = request(servers.ports[0], "GET", "/metrics")
    age = next((float(line.split()[-1]) for line in str(metrics).splitlines()
                if line.startswith("fieldline_database_oldest_transaction_seconds")), None)
    session.stdin.write("COMMIT;\n")
    session.stdin.close()
    session.wait(10)
    print(f"metrics   fieldline_database_oldest_transaction_seconds {age} after {args.fault_seconds:.0f}s open")
    if age is None or age < args.fault_seconds / 2:
        return [f"/metrics did not show the open transaction's age (got {age})"]
    return []


if __name__ == "__main__":
    main()
