#!/usr/bin/env python3
"""A central that misbehaves, for the uplink's fault tests.

Usage: fake-central.py PORT MODE
MODE: 500 (answers 500 with an error body), garbage (answers 200 with HTML), slow (holds
each request 3 s, then answers 503). Prints "listening" once ready; counts requests on stdout.
"""
import http.server
import sys
import time

MODE = sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        print("request", flush=True)
        if MODE == "500":
            self.answer(500, b'{"error": {"code": "internal", "message": "central is broken"}}', "application/json")
        elif MODE == "garbage":
            self.answer(200, b"<html>not a Nazorat answer</html>", "text/html")
        else:
            time.sleep(3)
            self.answer(503, b"overloaded", "text/plain")

    def answer(self, status, body, kind):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
print("listening", flush=True)
server.serve_forever()
