#!/usr/bin/env python3
"""Ingest benchmark: signed WhatsApp webhooks from thousands of distinct members, on loopback.

Drives a running Fieldline server at rising concurrency (each connection keeps one HTTP/1.1
connection open and sends the next webhook as soon as the previous is answered), then prints
sustained messages/second and p50/p99 webhook latency per step, the server's resident memory, and
PostgreSQL's ceiling on this machine (pgbench, 16 clients, one small INSERT per transaction) with
our rate as a fraction of it. Standard library only. Every loop is bounded in time.

Run through bench/run-ingest (it starts the cluster and a release server); see bench/README.md.
"""
import argparse, asyncio, hashlib, hmac, json, os, random, subprocess, sys, time


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


async def connection_loop(host, port, path, secret, phone_number_id, members, deadline, latencies, counter):
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.monotonic() < deadline:
            sender = random.choice(members)
            counter[0] += 1
            body = webhook(phone_number_id, sender, f"wamid.bench.{os.getpid()}.{counter[0]}.{random.getrandbits(32)}")
            signature = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
            request = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                       f"X-Hub-Signature-256: {signature}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
            started = time.perf_counter()
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
            latencies.append(time.perf_counter() - started)
    finally:
        writer.close()


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


async def step(args, members, concurrency):
    latencies, counter = [], [0]
    deadline = time.monotonic() + args.seconds
    started = time.monotonic()
    await asyncio.gather(*[
        connection_loop(args.host, args.port, args.path, args.secret.encode(), args.phone_number_id, members,
                        deadline, latencies, counter) for _ in range(concurrency)])
    elapsed = time.monotonic() - started
    return len(latencies) / elapsed, percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--path", required=True, help="the adapter's webhook path, /v1/hooks/whatsapp/<id>")
    parser.add_argument("--secret", required=True, help="the adapter's app secret")
    parser.add_argument("--phone-number-id", default="106540352242922")
    parser.add_argument("--members", type=int, default=5000, help="distinct senders")
    parser.add_argument("--steps", default="1,4,16,32", help="concurrent connections per step")
    parser.add_argument("--seconds", type=int, default=10, help="length of each step")
    parser.add_argument("--server-pid", type=int, help="for the memory figure")
    parser.add_argument("--database-url", help="for the pgbench ceiling")
    args = parser.parse_args()

    members = [f"34{600000000 + i}" for i in range(args.members)]
    print(f"ingest benchmark {time.strftime('%Y-%m-%d %H:%M')} — {args.members} members, {args.seconds}s per step")
    print(f"{'connections':>11} {'msgs/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'server RSS MB':>14}")
    best = 0.0
    for concurrency in [int(x) for x in args.steps.split(",")]:
        rate, p50, p99 = asyncio.run(step(args, members, concurrency))
        best = max(best, rate)
        rss = rss_mb(args.server_pid) if args.server_pid else float("nan")
        print(f"{concurrency:>11} {rate:>9.0f} {p50:>8.2f} {p99:>8.2f} {rss:>14.1f}", flush=True)
    if args.database_url:
        ceiling = pgbench_ceiling(args.database_url, args.seconds)
        print(f"pgbench ceiling (16 clients, one INSERT per transaction): {ceiling:.0f} tx/s")
        print(f"best ingest rate as a fraction of the ceiling: {best / ceiling:.2f}")


if __name__ == "__main__":
    sys.exit(main())
