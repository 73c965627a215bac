"""A throwaway stand-in for the Waymark service, for checking the extension by hand.

Serves GET /api/v1/guides (ETag, 304), POST /api/v1/events (per-event results),
GET /_events (what was received), POST /_down and /_up (simulate an outage),
and the fixture pages under /site/ with a strict CSP (default-src 'self').
Not the real backend: see backend/ for that.

    python3 dev/fake_backend.py PORT
"""
import hashlib
import json
import pathlib
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = pathlib.Path(__file__).parent
EVENTS = []
STATE = {"down": False}
CSP = "default-src 'self'"


def guides():
    return json.loads((HERE / "guides.json").read_text())


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send_json(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/api/v1/guides":
            if STATE["down"]:
                return self.send_json(503, {"error": {"code": "down", "message": "down"}})
            if self.headers.get("Authorization") != "Bearer test-token":
                return self.send_json(401, {"error": {"code": "unauthorized", "message": "bad token"}})
            body = {"guides": guides()}
            etag = '"%s"' % hashlib.sha1(json.dumps(body).encode()).hexdigest()[:16]
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return None
            return self.send_json(200, body, {"ETag": etag})
        if path == "/_events":
            return self.send_json(200, {"events": EVENTS})
        if path.startswith("/site/"):
            name = path.rstrip("/").rsplit("/", 1)[-1]
            file = HERE / "site" / (name if name.endswith(".js") else name + ".html")
            if file.exists():
                data = file.read_bytes()
                self.send_response(200)
                kind = "text/javascript" if name.endswith(".js") else "text/html; charset=utf-8"
                self.send_header("Content-Type", kind)
                self.send_header("Content-Security-Policy", CSP)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return None
        return self.send_json(404, {"error": {"code": "not_found", "message": path}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.path == "/_down":
            STATE["down"] = True
            return self.send_json(200, {})
        if self.path == "/_up":
            STATE["down"] = False
            return self.send_json(200, {})
        if self.path == "/api/v1/events":
            if STATE["down"]:
                return self.send_json(503, {"error": {"code": "down", "message": "down"}})
            batch = json.loads(raw)["events"]
            results = []
            known = {event["id"] for event in EVENTS}
            for event in batch:
                status = "duplicate" if event["id"] in known else "stored"
                if status == "stored":
                    EVENTS.append(event)
                results.append({"id": event["id"], "status": status})
            return self.send_json(200, {"results": results})
        return self.send_json(404, {"error": {"code": "not_found", "message": self.path}})


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8765
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
