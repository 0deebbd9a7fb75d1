#!/usr/bin/env python3
"""Dispatch benchmark: one broadcast to many subcontractors, then many simultaneous Accepts.

Drives a running Fieldline server (bench/run-dispatch starts it on a fresh cluster and seeds
the subcontractors): times `POST /v1/jobs/{id}/broadcast` from the client (every offer commits in
that one request, with the messages of the first ones; the rest follow from the outbox, timed
until every offer has its message), then fires ACCEPTS signed WhatsApp
button presses at once, one per subcontractor, each on its own connection, and prints p50/p99
webhook latency, how many offers ended accepted (must be 1) and the statuses; and PostgreSQL's
ceiling on this machine (pgbench, 16 clients, one small INSERT per transaction) in the same run,
and pgbench's rate for transactions that all lock one row (what one job's Accepts are).
Standard library only; loopback only; every wait is bounded.
"""
import argparse, hashlib, hmac, http.client, json, subprocess, threading, time


def call(args, method, path, body=None):
    connection = http.client.HTTPConnection(args.host, args.port, timeout=120)
    headers = {"authorization": f"Bearer {args.token}", "content-type": "application/json"}
    connection.request(method, path, json.dumps(body) if body is not None else None, headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, json.loads(data) if data else None


def button(args, sender, message_id, choice_id):
    body = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550000000", "phone_number_id": args.phone_number_id},
        "contacts": [{"profile": {"name": "Crew"}, "wa_id": sender}],
        "messages": [{"from": sender, "id": message_id, "timestamp": str(int(time.time())), "type": "interactive",
                      "interactive": {"type": "button_reply", "button_reply": {"id": choice_id, "title": "Accept"}}}],
    }}]}]}, separators=(",", ":")).encode()
    signature = "sha256=" + hmac.new(args.secret.encode(), body, hashlib.sha256).hexdigest()
    return body, {"content-type": "application/json", "x-hub-signature-256": signature}


def percentile(values, p):
    ordered = sorted(values)
    rank = p * (len(ordered) - 1)
    lower = int(rank)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (rank - lower)


def pgbench_ceiling(database_url, seconds):
    script = "/tmp/fieldline-dispatch-pgbench.sql"
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


def pgbench_one_row(database_url, seconds):
    """What serialized Accepts of one job can reach here: every transaction takes the same row's
    lock (as every Accept takes its job's), so they commit one after another, each waiting for
    the previous one's commit (its WAL flush) before it may start."""
    script = "/tmp/fieldline-dispatch-pgbench-lock.sql"
    with open(script, "w") as f:
        f.write("BEGIN;\nSELECT status FROM bench_job WHERE id = 1 FOR UPDATE;\n"
                "UPDATE bench_job SET answers = answers + 1 WHERE id = 1;\n"
                "INSERT INTO bench_reply (body) VALUES ('Sorry, PO-1 is already taken.');\nCOMMIT;\n")
    subprocess.run(["psql", database_url, "-qc", "CREATE TABLE bench_job (id int PRIMARY KEY, status text, answers int)",
                    "-c", "INSERT INTO bench_job VALUES (1, 'assigned', 0)",
                    "-c", "CREATE TABLE bench_reply (id bigserial PRIMARY KEY, body text)"], check=True)
    out = subprocess.run(["pgbench", "-n", "-c", "16", "-j", "2", "-T", str(seconds), "-f", script, database_url],
                         check=True, capture_output=True, text=True).stdout
    subprocess.run(["psql", database_url, "-qc", "DROP TABLE bench_job", "-c", "DROP TABLE bench_reply"], check=True)
    for line in out.splitlines():
        if line.startswith("tps ="):
            return float(line.split()[2])
    raise RuntimeError("pgbench printed no tps:\n" + out)


def offers_insert_alone(database_url, job_id, count):
    """PostgreSQL's own time for the broadcast's biggest statement: inserting `count` offers of
    the job with their keys, indexes and case-timeline rows, as DispatchEngine.send does, under
    EXPLAIN ANALYZE in a transaction rolled back (a new round, so nothing collides). An older
    schema (before sql/125) writes the history rows by a trigger on INSERT: then the plain insert."""
    by_trigger = subprocess.run(["psql", database_url, "-qtAc",
        "SELECT count(*) FROM pg_trigger WHERE tgname = 'offers_history' AND tgtype & 4 <> 0"],
        check=True, capture_output=True, text=True).stdout.strip() != "0"
    history = "SELECT 1" if by_trigger else """INSERT INTO job_history (tenant_id, job_id, offer_id, to_status, organization_id, actor)
    SELECT tenant_id, job_id, id, status, organization_id, fieldline_actor() FROM inserted"""
    sql = f"""
SELECT set_config('app.tenant_id', (SELECT id::text FROM tenants WHERE slug = 'bench'), false) IS NULL;
BEGIN;
SELECT set_config('app.actor', 'user:bench', true) IS NULL;
CREATE TEMP TABLE bench_ids ON COMMIT DROP AS
    SELECT array_agg(uuid_v7()) AS ids, array_agg(id) AS orgs, array_agg(random() * 20000) AS distances, array_agg(n > 100) AS pending
    FROM (SELECT id, row_number() OVER () AS n FROM organizations WHERE kind = 'subcontractor' LIMIT {count}) s;
EXPLAIN (ANALYZE, FORMAT JSON)
WITH inserted AS (
    INSERT INTO offers (tenant_id, id, job_id, organization_id, round, wave, distance_m, expires_at, created_by, delivery_pending)
    SELECT current_setting('app.tenant_id')::uuid, o.id, '{job_id}', o.organization_id, 1000, 1, o.distance,
           now() + interval '1 hour', 'user:bench', o.pending
    FROM bench_ids, unnest(bench_ids.ids, bench_ids.orgs, bench_ids.distances, bench_ids.pending) AS o(id, organization_id, distance, pending)
    RETURNING tenant_id, job_id, id, status, organization_id
)
{history};
ROLLBACK;
"""
    out = subprocess.run(["psql", database_url, "-qtA", "-v", "ON_ERROR_STOP=1"], input=sql, check=True, capture_output=True, text=True).stdout
    plan = json.loads(out[out.index("["):out.rindex("]") + 1])
    return plan[0]["Execution Time"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8191)
    parser.add_argument("--token", required=True)
    parser.add_argument("--hook", required=True, help="the adapter's webhook path")
    parser.add_argument("--secret", required=True, help="the adapter's app secret")
    parser.add_argument("--phone-number-id", default="106540352242922")
    parser.add_argument("--accepts", type=int, default=200)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--analyze", action="store_true", help="ANALYZE the tables the broadcast filled, right after it answered")
    args = parser.parse_args()

    status, job = call(args, "POST", "/v1/jobs", {"order_number": f"PO-BENCH-{int(time.time())}", "title": "Tow a van",
                                                    "latitude": 40.4168, "longitude": -3.7038, "required_tags": ["towing"]})
    assert status == 201, (status, job)
    started = time.perf_counter()
    status, broadcast = call(args, "POST", f"/v1/jobs/{job['id']}/broadcast", {"timeout_seconds": 3600})
    broadcast_seconds = time.perf_counter() - started
    assert status == 201, (status, broadcast)
    offers = broadcast["offers"]
    pending = sum(1 for offer in offers if offer.get("delivery_pending"))
    print(f"broadcast: {len(offers)} offers committed in {broadcast_seconds:.3f} s "
          f"({len(offers) - pending} with their messages and outbox rows in the request, {pending} left to dispatch.deliver)")
    if args.analyze:
        # What autovacuum does within a minute of these tables growing from empty: without it the
        # fan-out's statements and the outbox's claim are planned as for empty tables.
        subprocess.run(["psql", args.database_url, "-qc", "ANALYZE outbox, messages, conversations, offers, offer_recipients"],
                       check=True)
        print("ANALYZE of outbox, messages, conversations, offers, offer_recipients right after the broadcast answered")
    # Offers left to the outbox's fan-out (dispatch.deliver) get their messages after commit: wait
    # until every offer has its message (bounded), timed from the broadcast's start. Polled with a
    # count in SQL: listing 10,000 offers over HTTP every 50 ms would be most of the load.
    deadline = time.time() + 300
    while pending and time.time() < deadline:
        time.sleep(0.05)
        pending = int(subprocess.run(["psql", args.database_url, "-qtAc",
            "SELECT set_config('app.tenant_id', (SELECT id::text FROM tenants WHERE slug = 'bench'), false) IS NULL;"
            f"SELECT count(*) FROM offers WHERE job_id = '{job['id']}' AND delivery_pending"],
            check=True, capture_output=True, text=True).stdout.split()[-1])
        if not pending:
            print(f"fan-out: every offer's message and outbox row committed {time.perf_counter() - started:.3f} s after the broadcast started")
    assert not pending, f"{pending} offers still without their message after 300 s"
    if any(not offer["recipients"] for offer in offers):
        status, listing = call(args, "GET", f"/v1/jobs/{job['id']}/offers")
        offers = [offer for offer in listing["data"] if offer["round"] == broadcast["round"]]

    # The members to answer: the first ACCEPTS offers' recipients, by their WhatsApp numbers.
    status, listing = call(args, "GET", f"/v1/members?limit=200")
    numbers = {}
    cursor = None
    while True:
        status, page = call(args, "GET", "/v1/members?limit=200" + (f"&cursor={cursor}" if cursor else ""))
        for member in page["data"]:
            for identity in member.get("identities", []):
                if identity["kind"] == "whatsapp":
                    numbers[member["id"]] = identity["external_id"].lstrip("+")
        cursor = page.get("next_cursor")
        if not cursor or len(numbers) >= len(offers):
            break
    presses = []
    for index, offer in enumerate(offers[:args.accepts]):
        member = offer["recipients"][0]["member_id"]
        presses.append(button(args, numbers[member], f"wamid.bench.accept.{index}.{time.time_ns()}", f"offer:{offer['id']}:accept"))

    latencies, statuses = [], []
    lock, barrier = threading.Lock(), threading.Barrier(len(presses))

    def press(body_headers):
        body, headers = body_headers
        connection = http.client.HTTPConnection(args.host, args.port, timeout=60)
        connection.connect()
        barrier.wait(timeout=60)
        sent = time.perf_counter()
        connection.request("POST", args.hook, body, headers)
        response = connection.getresponse()
        response.read()
        elapsed = (time.perf_counter() - sent) * 1000
        connection.close()
        with lock:
            latencies.append(elapsed)
            statuses.append(response.status)

    threads = [threading.Thread(target=press, args=(p,)) for p in presses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    status, after = call(args, "GET", f"/v1/jobs/{job['id']}/offers")
    accepted = sum(1 for offer in after["data"] if offer["status"] == "accepted")
    counts = {code: statuses.count(code) for code in sorted(set(statuses))}
    print(f"accepts: {len(presses)} at once, p50 {percentile(latencies, 0.5):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms, "
          f"max {max(latencies):.1f} ms; offers accepted: {accepted}; statuses: {counts}")
    ceiling = pgbench_ceiling(args.database_url, 5)
    print(f"pgbench ceiling (16 clients, one INSERT per transaction): {ceiling:.0f} commits/s")
    alone = offers_insert_alone(args.database_url, job["id"], len(offers))
    print(f"the broadcast's insert of {len(offers)} offers with their history rows alone (EXPLAIN ANALYZE, rolled back): {alone:.0f} ms")
    locked = pgbench_one_row(args.database_url, 5)
    print(f"pgbench one-row lock (16 clients, each: lock one row FOR UPDATE, update it, insert a reply, commit): {locked:.0f} commits/s, "
          f"so {len(presses)} such transactions on one row need at least {len(presses) / locked * 1000:.0f} ms one after another")


if __name__ == "__main__":
    main()
