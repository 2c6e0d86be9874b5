#!/usr/bin/env python3
"""fault_proxy.py PORT UPSTREAM RULES.json LOG [USER:PASS]: an HTTP proxy on
127.0.0.1:PORT in front of the registry at UPSTREAM (host:port) that injects faults.

RULES.json (re-read on every request) is a list of {"match": SUBSTRING, "kind": KIND,
"count": N, "skip": K}: after the first K (default 0), the next N requests whose path
contains SUBSTRING get the fault.
KIND: "500" (a 500 answer), "truncate" (half the body, then the connection closes),
"stall" (half the body, then silence for 30 s), "corrupt" (every byte's low bit
flipped), "redirect" (a 307 to localhost:PORT/__redirected__/PATH, served from upstream
with USER:PASS; whether lk-pull sent an Authorization header there is logged), "delay"
(forwarded after "seconds" seconds, default 2).
Every request is logged as "METHOD PATH RANGE -> FAULT" to LOG, and the upstream's
answer to a forwarded one as "answer METHOD PATH STATUS"."""
import base64, http.client, json, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, upstream, rules_path, log_path = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
upstream_auth = sys.argv[5] if len(sys.argv) > 5 else ""
lock = threading.Lock()
used = {}
seen_rules = [None]

def log(line):
    with lock, open(log_path, "a") as f:
        f.write(line + "\n")

def pick(path):
    try:
        text = open(rules_path).read()
        rules = json.loads(text)
    except Exception:
        return None
    with lock:
        if text != seen_rules[0]:  # new rules: counts start again
            seen_rules[0] = text
            used.clear()
        for i, r in enumerate(rules):
            if r["match"] in path and used.get(i, 0) < r.get("skip", 0) + r.get("count", 1):
                used[i] = used.get(i, 0) + 1
                if used[i] > r.get("skip", 0):
                    return r
    return None

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def forward(self, method):
        path = self.path
        redirected = path.startswith("/__redirected__/")
        if redirected:
            path = path[len("/__redirected__"):]
            log("redirected %s auth=%s" % (path, "yes" if self.headers.get("Authorization") else "no"))
            fault = None
        else:
            rule = pick(path)
            fault = rule["kind"] if rule else None
        log("%s %s %s -> %s" % (method, path, self.headers.get("Range", "-"), fault))
        if fault == "delay":
            time.sleep(rule.get("seconds", 2))
        body = None
        if self.headers.get("Content-Length"):
            body = self.rfile.read(int(self.headers["Content-Length"]))
        if fault == "500":
            self.send_response(500); self.send_header("Content-Length", "0"); self.end_headers(); return
        if fault == "redirect":
            self.send_response(307)
            self.send_header("Location", "http://localhost:%d/__redirected__%s" % (port, path))
            self.send_header("Content-Length", "0"); self.end_headers(); return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        if redirected:
            headers.pop("Authorization", None)
            if upstream_auth:
                headers["Authorization"] = "Basic " + base64.b64encode(upstream_auth.encode()).decode()
        conn = http.client.HTTPConnection(upstream, timeout=60)
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        log("answer %s %s %d" % (method, path, resp.status))
        self.send_response(resp.status)
        length = None
        for k, v in resp.getheaders():
            if k.lower() in ("connection", "transfer-encoding"):
                continue
            if k.lower() == "location" and v.startswith("http://" + upstream):
                v = "http://127.0.0.1:%d%s" % (port, v[len("http://" + upstream):])
            if k.lower() == "content-length":
                length = int(v)
            self.send_header(k, v)
        if length is None and method != "HEAD":
            data = resp.read()
            length = len(data)
            self.send_header("Content-Length", str(length))
            self.end_headers()
            self.wfile.write(data)
            return
        self.end_headers()
        if method == "HEAD":
            return
        sent = 0
        limit = length // 2 if fault in ("truncate", "stall") else length
        while sent < limit:
            chunk = resp.read(min(65536, limit - sent))
            if not chunk:
                break
            if fault == "corrupt":
                chunk = bytes(b ^ 1 for b in chunk)
            self.wfile.write(chunk)
            sent += len(chunk)
        if fault == "stall":
            self.wfile.flush()
            time.sleep(30)
        if fault in ("truncate", "stall"):
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass

    def do_GET(self): self.forward("GET")
    def do_HEAD(self): self.forward("HEAD")
    def do_POST(self): self.forward("POST")
    def do_PUT(self): self.forward("PUT")
    def do_PATCH(self): self.forward("PATCH")

ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
