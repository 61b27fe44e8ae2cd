#!/usr/bin/env python3
"""A local JSON API for bench/connectors_vs_baseline.sh: RECORDS records served PAGE at a time
with offset/limit pagination ({"items": [...]}), pages pre-rendered so the server costs little.
Usage: api_server.py PORT_FILE RECORDS PAGE  (writes the port it listens on to PORT_FILE)."""
import http.server
import json
import sys
import urllib.parse

port_file, records, page = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
pages = {}
for start in range(0, records + page, page):
    items = [{"id": i, "name": f"item-{i}", "updated_at": 1_700_000_000 + i, "amount": i * 0.25,
              "owner": {"login": f"user{i % 97}", "level": i % 5}, "tags": ["a", f"t{i % 3}"]}
             for i in range(start, min(start + page, records))]
    pages[start] = json.dumps({"items": items}).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        body = pages.get(int(q.get("offset", ["0"])[0]), b'{"items": []}')
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file, "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
