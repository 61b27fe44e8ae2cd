#!/usr/bin/env python3
"""A local HTTP receiver for tests: records every request it gets as one JSON line.

    http_receiver.py PORT RECORD_FILE

Each line: {"method", "path", "headers", "body"}. A path starting with /fail answers 500 (a
webhook that is down), everything else 200 "ok". Stops on SIGTERM.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def _record(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace") if n else ""
        rec = {"method": self.command, "path": self.path, "headers": dict(self.headers.items()), "body": body}
        with open(sys.argv[2], "a", encoding="utf-8") as f:
            f.write(json.dumps(rec) + "\n")
        status = 500 if self.path.startswith("/fail") else 200
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"ok" if status == 200 else b"down")

    do_POST = do_PUT = do_GET = _record

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
