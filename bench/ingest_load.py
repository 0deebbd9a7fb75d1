#!/usr/bin/env python3
"""Ingest benchmark: signed WhatsApp webhooks from thousands of distinct members, on loopback.

Drives a running Fieldline server at rising concurrency (each connection keeps one HTTP/1.1
connection open and sends the next webhook as soon as the previous is answered), then, with
--rates, at fixed offered rates (open loop: webhooks are due on a schedule whatever the answers
do, latency counts from when each was due, so a server that falls behind shows it). Prints
sustained messages/second and p50/p99 webhook latency per step, the server's resident memory, and
PostgreSQL's ceiling on this machine (pgbench, 16 clients, one small INSERT per transaction) with
our rate as a fraction of it. With --token, it also holds a WebSocket on /v1/stream (as that
user) and matches each `message.created` event to its webhook by provider message id: p50/p99 of
webhook-sent to event-received ("stream ms"). Standard library only. Every loop is bounded in time.

Run through bench/run-ingest (it starts the cluster and a release server); see bench/README.md.
"""
import argparse, asyncio, base64, hashlib, hmac, json, os, random, struct, subprocess, sys, threading, time


def webhook(phone_number_id: str, sender: str, message_id: str) -> bytes:
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550000000", "phone_number_id": phone_number_id},
            "contacts": [{"profile": {"name": f"Crew {sender[-4:]}"}, "wa_id": sender}],
            "messages": [{"from": sender, "id": message_id, "timestamp": str(int(time.time())),
                          "type": "text", "text": {"body": "Servicio terminado, foto enviada"}}],
        }}]}],
    }
    return json.dumps(body, separators=(",", ":")).encode()


class Load:
    """One step's shared state: what was sent when, and what came back."""

    def __init__(self, args, members):
        self.args, self.members = args, members
        self.latencies, self.counter = [], 0
        self.sent_at = {}  # provider message id -> perf_counter when the webhook was due/sent
        self.stream_latencies = []


async def post_webhook(load, reader, writer, due, sender=None):
    """Sends one signed webhook (from `sender`, or a random member) on a keep-alive connection;
    records its latency from `due`."""
    args = load.args
    load.counter += 1
    message_id = f"wamid.bench.{os.getpid()}.{load.counter}.{random.getrandbits(32)}"
    body = webhook(args.phone_number_id, sender or random.choice(load.members), message_id)
    signature = "sha256=" + hmac.new(args.secret.encode(), body, hashlib.sha256).hexdigest()
    request = (f"POST {args.path} HTTP/1.1\r\nHost: {args.host}\r\nContent-Type: application/json\r\n"
               f"X-Hub-Signature-256: {signature}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
    started = time.perf_counter() if due is None else due
    load.sent_at[message_id] = started
    writer.write(request)
    await writer.drain()
    status_line = await reader.readline()
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    await reader.readexactly(length)
    if b" 200 " not in status_line:
        raise RuntimeError(f"server answered {status_line!r}")
    load.latencies.append(time.perf_counter() - started)


async def connection_loop(load, deadline):
    """Closed loop: the next webhook as soon as the previous is answered."""
    reader, writer = await asyncio.open_connection(load.args.host, load.args.port)
    try:
        while time.monotonic() < deadline:
            await post_webhook(load, reader, writer, None)
    finally:
        writer.close()


async def first_messages_loop(load, senders, deadline):
    """Warm-up: each member's first message (the server creates the member and a conversation)."""
    reader, writer = await asyncio.open_connection(load.args.host, load.args.port)
    try:
        while senders and time.monotonic() < deadline:
            await post_webhook(load, reader, writer, None, senders.pop())
    finally:
        writer.close()


async def paced_loop(load, queue):
    """Open loop worker: takes due times from `queue` and sends each on its own connection."""
    reader, writer = await asyncio.open_connection(load.args.host, load.args.port)
    try:
        while True:
            due = await queue.get()
            if due is None:
                return
            await post_webhook(load, reader, writer, due)
    finally:
        writer.close()


async def stream_reader(load, ready, stop, measure=True):
    """Holds a WebSocket on /v1/stream (RFC 6455, the little a client needs) and records, for each
    `message.created` of a webhook we sent, the time from sending to receiving the event (only
    when `measure`: the other watchers of --watchers just read)."""
    args = load.args
    reader, writer = await asyncio.open_connection(args.host, args.port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write((f"GET /v1/stream HTTP/1.1\r\nHost: {args.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                  f"Authorization: Bearer {args.token}\r\n\r\n").encode())
    await writer.drain()
    status = await reader.readline()
    if b" 101 " not in status:
        raise RuntimeError(f"stream refused: {status!r}")
    while (await reader.readline()) not in (b"\r\n", b""):
        pass
    try:
        message = b""
        while not stop.is_set():
            try:
                head = await asyncio.wait_for(reader.readexactly(2), 0.5)
            except asyncio.TimeoutError:
                continue
            fin, opcode, length = head[0] & 0x80, head[0] & 0x0F, head[1] & 0x7F
            if length == 126:
                length = struct.unpack("!H", await reader.readexactly(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", await reader.readexactly(8))[0]
            payload = await reader.readexactly(length)
            if opcode == 0x9:  # ping: answer with a masked pong
                mask = os.urandom(4)
                writer.write(bytes([0x8A, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
                continue
            if opcode == 0x8:
                return
            if opcode in (0x1, 0x0):
                message += payload
                if not fin:
                    continue
                received = time.perf_counter()
                event = json.loads(message)
                message = b""
                if event.get("type") == "stream.ready":
                    ready.set()
                    if not measure:
                        # A watcher that only reads: drain the socket in large chunks, so the
                        # generator spends next to nothing on it (frames are not parsed, and the
                        # server's rare pings go unanswered within a step).
                        while not stop.is_set():
                            try:
                                if not await asyncio.wait_for(reader.read(1 << 16), 0.5):
                                    return
                            except asyncio.TimeoutError:
                                continue
                        return
                elif measure and event.get("type") == "message.created":
                    sent = load.sent_at.get((event.get("message") or {}).get("provider_message_id"))
                    if sent is not None:
                        load.stream_latencies.append(received - sent)
    finally:
        writer.close()


class WaitSampler:
    """Every 100 ms, through one long-lived psql, counts the server's database sessions that are
    active and those waiting on a heavyweight lock (row, transaction, advisory or the notify lock)."""

    QUERY = ("SELECT count(*) FILTER (WHERE state = 'active'), "
             "count(*) FILTER (WHERE wait_event_type = 'Lock') "
             "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid();\n")

    def __init__(self, database_url):
        self.psql = subprocess.Popen(["psql", database_url, "-AtqX", "-F", " "], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1)
        self.samples, self.stop = [], threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop.is_set():
            self.psql.stdin.write(self.QUERY)
            self.psql.stdin.flush()
            active, waiting = (int(x) for x in self.psql.stdout.readline().split())
            self.samples.append((active, waiting))
            self.stop.wait(0.1)

    def finish(self):
        """(mean active sessions, mean sessions waiting on the advisory lock)."""
        self.stop.set()
        self.thread.join()
        self.psql.stdin.close()
        self.psql.wait()
        n = max(1, len(self.samples))
        return sum(a for a, _ in self.samples) / n, sum(w for _, w in self.samples) / n


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return float("nan")
    return float("nan")


def pgbench_ceiling(database_url, seconds):
    script = "/tmp/fieldline-pgbench.sql"
    with open(script, "w") as f:
        f.write("INSERT INTO bench_ceiling (payload) VALUES ('x');\n")
    subprocess.run(["psql", database_url, "-qc", "CREATE TABLE IF NOT EXISTS bench_ceiling (id bigserial PRIMARY KEY, payload text)"], check=True)
    out = subprocess.run(["pgbench", "-n", "-c", "16", "-j", "2", "-T", str(seconds), "-f", script, database_url],
                         check=True, capture_output=True, text=True).stdout
    subprocess.run(["psql", database_url, "-qc", "DROP TABLE bench_ceiling"], check=True)
    for line in out.splitlines():
        if line.startswith("tps ="):
            return float(line.split()[2])
    raise RuntimeError("pgbench printed no tps:\n" + out)


async def step(args, members, concurrency=None, rate=None, first_messages=False):
    """One step, closed loop at `concurrency` connections or open loop at `rate` webhooks/second;
    with `first_messages`, one message from each member (16 connections, up to 120 s)."""
    load = Load(args, members)
    stop, ready = asyncio.Event(), asyncio.Event()
    stream = asyncio.create_task(stream_reader(load, ready, stop)) if args.token else None
    others = []
    if stream:
        await asyncio.wait_for(ready.wait(), 10)
        for _ in range(args.watchers - 1):
            other_ready = asyncio.Event()
            others.append(asyncio.create_task(stream_reader(load, other_ready, stop, measure=False)))
            await asyncio.wait_for(other_ready.wait(), 10)
    sampler = WaitSampler(args.database_url) if args.database_url else None
    started = time.monotonic()
    if first_messages:
        senders = list(reversed(members))
        await asyncio.gather(*[first_messages_loop(load, senders, started + 120) for _ in range(16)])
    elif rate is None:
        await asyncio.gather(*[connection_loop(load, started + args.seconds) for _ in range(concurrency)])
    else:
        queue = asyncio.Queue()
        workers = [asyncio.create_task(paced_loop(load, queue)) for _ in range(args.max_connections)]
        origin, interval = time.perf_counter(), 1.0 / rate
        for n in range(int(rate * args.seconds)):
            due = origin + n * interval
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            queue.put_nowait(due)
        for _ in workers:
            queue.put_nowait(None)
        await asyncio.gather(*workers)
    elapsed = time.monotonic() - started
    active, waiting = sampler.finish() if sampler else (float("nan"), float("nan"))
    if stream:
        # The events of the last webhooks follow their 200s closely; give them a moment.
        until = time.monotonic() + 5
        while len(load.stream_latencies) < len(load.latencies) and time.monotonic() < until:
            await asyncio.sleep(0.05)
        stop.set()
        await stream
        await asyncio.gather(*others)
    ms = lambda values, f: percentile(values, f) * 1000
    return (len(load.latencies) / elapsed, ms(load.latencies, 0.5), ms(load.latencies, 0.99),
            ms(load.stream_latencies, 0.5), ms(load.stream_latencies, 0.99),
            len(load.stream_latencies), len(load.latencies), active, waiting)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--path", required=True, help="the adapter's webhook path, /v1/hooks/whatsapp/<id>")
    parser.add_argument("--secret", required=True, help="the adapter's app secret")
    parser.add_argument("--phone-number-id", default="106540352242922")
    parser.add_argument("--members", type=int, default=5000, help="distinct senders")
    parser.add_argument("--steps", default="1,4,16,32", help="concurrent connections per step (closed loop); empty for none")
    parser.add_argument("--rates", default="", help="offered webhooks/second per step (open loop), e.g. 250,500,1000")
    parser.add_argument("--max-connections", type=int, default=64, help="connections an open-loop step may use")
    parser.add_argument("--token", help="an admin's or agent's token: also measure webhook-to-stream-event latency")
    parser.add_argument("--watchers", type=int, default=1,
                        help="stream sockets held open (as --token) during each step, like agents watching; latency is measured on the first")
    parser.add_argument("--seconds", type=int, default=10, help="length of each step")
    parser.add_argument("--server-pid", type=int, help="for the memory figure")
    parser.add_argument("--database-url", help="for the pgbench ceiling")
    parser.add_argument("--first-messages", action="store_true",
                        help="start with one message from each member (creating them), then ANALYZE, before the steps")
    args = parser.parse_args()

    members = [f"34{600000000 + i}" for i in range(args.members)]
    print(f"ingest benchmark {time.strftime('%Y-%m-%d %H:%M')} — {args.members} members, {args.seconds}s per step, {args.watchers} stream watcher(s)")
    print(f"{'load':>11} {'msgs/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'stream p50':>11} {'stream p99':>11} {'events':>13} {'db active':>9} {'lock wait':>9} {'server RSS MB':>14}")
    best = 0.0
    steps = [("1st msgs", {"first_messages": True})] if args.first_messages else []
    steps += [(f"{int(c)} conn", {"concurrency": int(c)}) for c in args.steps.split(",") if c.strip()]
    steps += [(f"{int(r)}/s", {"rate": int(r)}) for r in args.rates.split(",") if r.strip()]
    for label, kind in steps:
        rate, p50, p99, s50, s99, events, sent, active, waiting = asyncio.run(step(args, members, **kind))
        best = max(best, rate)
        rss = rss_mb(args.server_pid) if args.server_pid else float("nan")
        seen = f"{events}/{sent}" if args.token else "-"
        print(f"{label:>11} {rate:>9.0f} {p50:>8.2f} {p99:>8.2f} {s50:>11.2f} {s99:>11.2f} {seen:>13} {active:>9.1f} {waiting:>9.1f} {rss:>14.1f}", flush=True)
        if "first_messages" in kind and args.database_url:
            # What autovacuum does within a minute of a running deployment's tables growing: the
            # statistics the planner needs. Without them, plans cached while the tables were
            # empty (prepared statements, foreign-key checks) keep picking the wrong indexes.
            subprocess.run(["psql", args.database_url, "-qc", "ANALYZE"], check=True, stderr=subprocess.DEVNULL)
    if args.database_url:
        ceiling = pgbench_ceiling(args.database_url, args.seconds)
        print(f"pgbench ceiling (16 clients, one INSERT per transaction): {ceiling:.0f} tx/s")
        print(f"best ingest rate as a fraction of the ceiling: {best / ceiling:.2f}")


if __name__ == "__main__":
    sys.exit(main())
