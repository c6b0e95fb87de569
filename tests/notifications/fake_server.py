"""A fake HTTP endpoint on 127.0.0.1 for the channel tests (SMS gateway, WeCom, DingTalk robots).

Records every request; answers from a script (status, JSON) or a default; optionally drops repeats
of an idempotency key like a real gateway would; optionally stalls to test the client's timeout.
"""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict
    json: dict


@dataclass
class FakeServer:
    host: str = "127.0.0.1"
    port: int = 0
    requests: list = field(default_factory=list)
    script: list = field(default_factory=list)  # [(status, body_dict)], consumed one per request
    default: tuple = (200, {"errcode": 0, "errmsg": "ok"})
    dedupe_header: str | None = None
    delivered: list = field(default_factory=list)  # what reached the "phone": once per idempotency key
    stall_seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def answer(self, path: str, headers: dict, body: dict) -> tuple[int, dict]:
        with self.lock:
            self.requests.append(Received(path=path, headers=headers, json=body))
            status, answer = self.script.pop(0) if self.script else self.default
            if 200 <= status < 300 and answer.get("errcode", 0) == 0:
                key = headers.get(self.dedupe_header.lower()) if self.dedupe_header else None
                if key is None or key not in {k for k, _ in self.delivered}:
                    self.delivered.append((key, body))
            return status, answer


def start(fake: FakeServer) -> tuple[ThreadingHTTPServer, threading.Thread]:
    class Handler(BaseHTTPRequestHandler):
        timeout = 5  # a stuck client cannot hold the thread forever

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else {}
            if fake.stall_seconds:
                threading.Event().wait(fake.stall_seconds)
            status, answer = fake.answer(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            data = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((fake.host, 0), Handler)
    server.daemon_threads = True
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server, thread
