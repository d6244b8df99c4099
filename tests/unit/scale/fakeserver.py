"""A loopback stand-in for an OpenAI-compatible vLLM server, for the fleet's dispatch logic (no model):
/health, /v1/models, /v1/completions answering a pure function of the prompt. It records the requests in
flight (to check per-server limits) and can die after its k-th completion request (connection dropped,
listener closed), as a crashed server does."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def answer(prompt: str) -> str:
    return "ans-" + hashlib.sha256(prompt.encode()).hexdigest()[:12]


class FakeServer:
    def __init__(self, root: str, *, delay_s: float = 0.03, die_after: int | None = None):
        self.root, self.delay_s, self.die_after = root, delay_s, die_after
        self.inflight = self.max_inflight = self.completions = 0
        self.answered: list[str] = []
        self.dead = False
        self._lock = threading.Lock()
        outer = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):  # quiet
                pass

            def _json(self, obj, code=200):
                body = json.dumps(obj).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if outer.dead:
                    self.close_connection = True
                    return
                if self.path == "/health":
                    self._json({})
                elif self.path == "/v1/models":
                    self._json({"object": "list", "data": [{"id": "base", "object": "model", "created": 0,
                                                            "owned_by": "x", "root": outer.root,
                                                            "parent": None, "max_model_len": 2048}]})
                else:
                    self._json({"error": "nope"}, 404)

            def do_POST(self):
                n = int(self.headers.get("Content-Length", 0))
                req = json.loads(self.rfile.read(n))
                with outer._lock:
                    outer.completions += 1
                    k = outer.completions
                    outer.inflight += 1
                    outer.max_inflight = max(outer.max_inflight, outer.inflight)
                reply = None
                try:
                    time.sleep(outer.delay_s)
                    if outer.dead or (outer.die_after is not None and k > outer.die_after):
                        outer.kill()
                        self.close_connection = True      # drop the request: the client sees a reset
                        return
                    if req.get("prompt") == "BAD":
                        reply = ({"error": {"message": "bad request"}}, 400)
                    else:
                        text = answer(req["prompt"])
                        with outer._lock:
                            outer.answered.append(req["prompt"])
                        reply = ({"id": "c", "object": "text_completion", "created": 0, "model": "base",
                                  "choices": [{"index": 0, "text": text, "finish_reason": "stop",
                                               "logprobs": None}],
                                  "usage": {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}}, 200)
                finally:
                    # out of flight BEFORE the reply is written: once the client has it, it may send the next
                    # request, and counting that one while this handler still held its slot read 4 for a limit
                    # of 3 (seen in CI)
                    with outer._lock:
                        outer.inflight -= 1
                if reply is not None:
                    self._json(*reply)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self._t = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._t.start()

    def kill(self) -> None:
        if not self.dead:
            self.dead = True
            threading.Thread(target=self._close, daemon=True).start()

    def _close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def stop(self) -> None:
        self.kill()
