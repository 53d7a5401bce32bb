#!/usr/bin/env python3
"""A central that misbehaves, for the uplink's fault tests.

Usage: fake-central.py PORT MODE
MODE: 500 (answers 500 with an error body), garbage (answers 200 with HTML), slow (holds
each request 3 s, then answers 503); keep-alive (HTTP/1.1: answers the check 405 and every
POST 500, keeping the connection), close-after (the same, but closes each connection after
its answer without saying so, as a server closing idle connections does).
Prints "listening" once ready; prints "connection" and "request" for each on stdout.
"""
import http.server
import sys
import time

MODE = sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    if MODE in ("keep-alive", "close-after"):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            self.answer(405, b'{"error": {"code": "method", "message": "POST only"}}', "application/json")

    def setup(self):
        print("connection", flush=True)
        super().setup()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        print("request", flush=True)
        if MODE in ("500", "keep-alive", "close-after"):
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
        self.close_connection = self.close_connection or MODE == "close-after"

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
print("listening", flush=True)
server.serve_forever()
