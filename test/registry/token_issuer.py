#!/usr/bin/env python3
"""token_issuer.py PORT KEY.pem CERT.pem USER PASSWORD [REFRESH_TOKEN]: a tiny Docker
registry token service (the registry's `token` auth mode) on 127.0.0.1:PORT.

GET /token?service=S&scope=repository:NAME:ACTIONS answers a JWT (RS256, signed with
KEY via openssl, the certificate in x5c) granting the asked actions to USER (HTTP Basic)
and only `pull` to anonymous callers of repositories under public/.

POST /token with an OAuth2 refresh-token grant (application/x-www-form-urlencoded:
grant_type=refresh_token&refresh_token=R&service=S&scope=...&client_id=C), as Docker
sends for an identity token, grants what USER gets when R is REFRESH_TOKEN (else
$LK_TEST_REFRESH_TOKEN) or one this issuer handed out; each answer carries a new
refresh_token. A wrong R gets 400 {"error":"invalid_grant"}.

Tokens live $TOKEN_TTL seconds (default 300) and are said to be issued $TOKEN_AGE
seconds ago (default 0; issued_at and the JWT's iat/exp move with it), so a test can
hand out tokens about to expire. $TOKEN_SETTINGS names an optional JSON file, re-read on
every request, whose "ttl", "age" and "post_status" (e.g. 404: no OAuth2 here) override.

One line per request goes to stderr, starting with the method, so tests can count
token requests:
  GET token authed|anonymous|refused SCOPE
  POST token grant_type=G refresh=configured|rotated|wrong client_id=C SCOPE
  POST token answered N"""
import base64, json, subprocess, sys, time, os, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

port, key, cert, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
configured_refresh = sys.argv[6] if len(sys.argv) > 6 else os.environ.get("LK_TEST_REFRESH_TOKEN", "")
der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"], capture_output=True, check=True).stdout
lock = threading.Lock()
rotated = set()

def settings():
    s = {"ttl": int(os.environ.get("TOKEN_TTL", "300")), "age": int(os.environ.get("TOKEN_AGE", "0")), "post_status": 0}
    path = os.environ.get("TOKEN_SETTINGS", "")
    if path and os.path.exists(path):
        try:
            s.update(json.load(open(path)))
        except ValueError:
            pass
    return s

def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def sign(claims):
    header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(der).decode()]}
    msg = (b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())).encode()
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=msg, capture_output=True, check=True).stdout
    return msg.decode() + "." + b64(sig)

def access_for(scopes, authed):
    access = []
    for scope in scopes:
        for s in scope.split(" "):
            typ, _, rest = s.partition(":")
            name, _, actions = rest.rpartition(":")
            acts = actions.split(",") if authed else (["pull"] if name.startswith("public/") else [])
            access.append({"type": typ, "name": name, "actions": acts})
    return access

def issue(service, scopes, authed, s):
    issued = int(time.time()) - s["age"]
    claims = {"iss": "lk-test-issuer", "sub": user if authed else "", "aud": service,
              "exp": issued + s["ttl"], "nbf": issued - 10, "iat": issued, "jti": os.urandom(8).hex(),
              "access": access_for(scopes, authed)}
    return sign(claims), issued

def log(*words):
    print(*words, file=sys.stderr, flush=True)

class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def answer(self, status, doc):
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        q = parse_qs(urlparse(self.path).query)
        scopes = q.get("scope", [])
        authed = False
        h = self.headers.get("Authorization", "")
        if h.startswith("Basic "):
            u_, _, p_ = base64.b64decode(h[6:]).decode().partition(":")
            if (u_, p_) != (user, password):
                log("GET token refused", " ".join(scopes))
                self.send_response(401); self.send_header("Content-Length", "0"); self.end_headers(); return
            authed = True
        s = settings()
        tok, issued = issue(q.get("service", [""])[0], scopes, authed, s)
        log("GET token", "authed" if authed else "anonymous", " ".join(scopes))
        self.answer(200, {"token": tok, "expires_in": s["ttl"],
                          "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(issued))})

    def do_POST(self):
        s = settings()
        length = int(self.headers.get("Content-Length", "0") or 0)
        form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
        if s["post_status"]:
            log("POST token answered", s["post_status"])
            self.answer(s["post_status"], {"errors": [{"code": "NOT_FOUND", "message": "no OAuth2 here"}]}); return
        if urlparse(self.path).path != "/token" or \
                not self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            log("POST token answered 400")
            self.answer(400, {"error": "invalid_request"}); return
        one = lambda k: form.get(k, [""])[0]
        scopes = form.get("scope", [])
        grant, refresh = one("grant_type"), one("refresh_token")
        with lock:
            which = "configured" if configured_refresh and refresh == configured_refresh else \
                "rotated" if refresh in rotated else "wrong"
        log("POST token grant_type=" + grant, "refresh=" + which, "client_id=" + one("client_id"), " ".join(scopes))
        if grant != "refresh_token":
            self.answer(400, {"error": "unsupported_grant_type"}); return
        if which == "wrong":
            self.answer(400, {"error": "invalid_grant"}); return
        tok, issued = issue(one("service"), scopes, True, s)
        new_refresh = "rt-" + os.urandom(8).hex()
        with lock:
            rotated.add(new_refresh)
        self.answer(200, {"access_token": tok, "expires_in": s["ttl"], "refresh_token": new_refresh,
                          "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(issued))})

ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
