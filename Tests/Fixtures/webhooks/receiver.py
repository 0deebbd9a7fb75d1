#!/usr/bin/env python3
"""A webhook receiver for Fieldline's tests, verifying every delivery with the Standard Webhooks
reference library (PyPI `standardwebhooks`), as an integrator's receiver would.

Prints its port on the first line of stdout, then serves until killed:
  POST /_secrets        {"<path>": "whsec_..."}: the secret each path verifies with
  GET  /_log            every delivery so far: path, webhook-id, verified, error, body, answered
  POST /ok              200
  POST /flaky           500 for the first 3 attempts of each webhook-id, then 200
  POST /hang            never answers in time (sleeps 30 s)
  POST /gone            410
  POST /redirect        302 to /ok
  POST /slow-retry      503 with Retry-After: 1 the first time, then 200
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook

lock = threading.Lock()
secrets = {}
log = []
attempts = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/_log":
            with lock:
                body = json.dumps(log).encode()
            self.answer(200, body, {"Content-Type": "application/json"})
        else:
            self.answer(404)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/_secrets":
            with lock:
                secrets.update(json.loads(body))
            return self.answer(204)
        headers = {k.lower(): v for k, v in self.headers.items()}
        webhook_id = headers.get("webhook-id", "")
        verified, error = False, None
        try:
            Webhook(secrets[self.path]).verify(body, headers)
            verified = True
        except Exception as exc:  # any failure to verify is recorded, not raised
            error = f"{type(exc).__name__}: {exc}"
        with lock:
            key = (self.path, webhook_id)
            attempts[key] = attempts.get(key, 0) + 1
            count = attempts[key]
        status, extra = 200, {}
        if self.path == "/flaky" and count <= 3:
            status = 500
        elif self.path == "/gone":
            status = 410
        elif self.path == "/redirect":
            status, extra = 302, {"Location": "/ok"}
        elif self.path == "/slow-retry" and count == 1:
            status, extra = 503, {"Retry-After": "1"}
        elif self.path == "/hang":
            time.sleep(30)
        with lock:
            log.append({
                "path": self.path, "webhook_id": webhook_id, "verified": verified, "error": error,
                "signatures": headers.get("webhook-signature", ""), "body": json.loads(body or b"null"),
                "answered": status, "at": time.time(),
            })
        self.answer(status, b'{"received": true}' if status == 200 else b"nope", {"Content-Type": "application/json", **extra})


def exit_with_parent():
    """Stops when the test closes its end of stdin (or dies): no receiver outlives its test."""
    sys.stdin.read()
    os._exit(0)


threading.Thread(target=exit_with_parent, daemon=True).start()
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
