#!/usr/bin/env python3
"""token_issuer.py PORT KEY.pem CERT.pem USER PASSWORD: a tiny Docker registry token
service (the registry's `token` auth mode) on 127.0.0.1:PORT.

GET /token?service=S&scope=repository:NAME:ACTIONS answers a JWT (RS256, signed with
KEY via openssl, the certificate in x5c) granting the asked actions to USER (HTTP Basic)
and only `pull` to anonymous callers of repositories under public/. One line per
request goes to stderr, so tests can count token requests."""
import base64, json, subprocess, sys, time, os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

port, key, cert, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"], capture_output=True, check=True).stdout

def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def sign(claims):
    header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(der).decode()]}
    msg = (b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())).encode()
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=msg, capture_output=True, check=True).stdout
    return msg.decode() + "." + b64(sig)

class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        u = urlparse(self.path)
        q = parse_qs(u.query)
        authed = False
        h = self.headers.get("Authorization", "")
        if h.startswith("Basic "):
            u_, _, p_ = base64.b64decode(h[6:]).decode().partition(":")
            if (u_, p_) != (user, password):
                self.send_response(401); self.end_headers(); return
            authed = True
        access = []
        for scope in q.get("scope", []):
            for s in scope.split(" "):
                typ, _, rest = s.partition(":")
                name, _, actions = rest.rpartition(":")
                acts = actions.split(",") if authed else (["pull"] if name.startswith("public/") else [])
                access.append({"type": typ, "name": name, "actions": acts})
        now = int(time.time())
        claims = {"iss": "lk-test-issuer", "sub": user if authed else "", "aud": q.get("service", [""])[0],
                  "exp": now + 300, "nbf": now - 10, "iat": now, "jti": os.urandom(8).hex(), "access": access}
        tok = sign(claims)
        body = json.dumps({"token": tok, "expires_in": 300}).encode()
        print("token", "authed" if authed else "anonymous", " ".join(q.get("scope", [])), file=sys.stderr, flush=True)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
