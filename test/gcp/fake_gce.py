#!/usr/bin/env python3
"""A stand-in for the few Google endpoints lk-push gcp and lk-run gcp call.

It speaks the documented request and response shapes (OAuth2 token, Cloud Storage
resumable upload, Compute Engine images, instances, operations and serial port), checks
every request it gets, records what it saw for the tests (GET /_fake/state), and can
inject failures. Each check that fails is answered with HTTP 400 and listed under
"violations", so a test only has to assert that list is empty.

Usage: fake_gce.py --port-file F --pubkey PUB.pem --client-email E --project P
                   --zone Z --bucket B [failure flags]
"""
import argparse
import base64
import json
import os
import re
import subprocess
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

QUANTUM = 256 * 1024
SCOPES = {"https://www.googleapis.com/auth/compute", "https://www.googleapis.com/auth/devstorage.read_write"}
NAME_RE = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.tokens = {}  # token -> expiry (epoch seconds)
        self.seq = 0
        self.stats = {"token_grants": 0, "grant_types": [], "expired_token_uses": 0, "revoked_401": 0,
                      "uploads_started": 0, "chunks": [], "status_queries": 0, "dropped_chunks": 0,
                      "injected": [], "requests": [], "violations": [], "public_acl": [],
                      "images_deleted": [], "instances_deleted": [], "serial_starts": []}
        self.authorized_calls = 0
        self.revoked = False
        self.sessions = {}   # upload_id -> {bucket, object, total, data}
        self.objects = {}    # (bucket, object) -> bytes
        self.images = {}     # name -> image resource
        self.instances = {}  # name -> {"status", "body", "revealed", "ticks"}
        self.ops = {}        # name -> {"polls", "error", "zone", "type", "target"}
        self.put_count = 0
        self.failures = {}
        for f in args.fail or []:
            call, count, status = f.split(":")
            self.failures[call] = [int(count), int(status)]

    def next_id(self):
        self.seq += 1
        return self.seq

    def violation(self, msg):
        self.stats["violations"].append(msg)


def gce_error(code, message, reason):
    status = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
              409: "ALREADY_EXISTS", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}.get(code, "UNKNOWN")
    return {"error": {"code": code, "message": message, "status": status,
                      "errors": [{"message": message, "domain": "global", "reason": reason}]}}


def make_handler(state):
    args = state.args

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):
            if args.verbose:
                super().log_message(fmt, *a)

        # ---- plumbing
        def base(self):
            return "http://127.0.0.1:%d" % self.server.server_address[1]

        def send_json(self, code, obj, headers=None):
            body = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def read_body(self):
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def bad(self, msg, call):
            state.violation("%s: %s" % (call, msg))
            self.send_json(400, gce_error(400, "fake_gce: " + msg, "invalid"))

        def inject(self, call):
            f = state.failures.get(call)
            if f and f[0] > 0:
                f[0] -= 1
                state.stats["injected"].append("%s:%d" % (call, f[1]))
                self.read_body()
                msg = {503: "The service is currently unavailable.", 429: "Rate Limit Exceeded",
                       500: "Internal error. Please try again."}.get(f[1], "injected failure")
                self.send_json(f[1], gce_error(f[1], msg, "backendError"))
                return True
            return False

        def authorized(self, call):
            h = self.headers.get("Authorization", "")
            if not h.startswith("Bearer "):
                self.read_body()
                state.violation("%s: no bearer token" % call)
                self.send_json(401, gce_error(401, "Request is missing required authentication credential.",
                                              "required"))
                return False
            tok = h[7:]
            if args.static_token and tok == args.static_token:
                return True
            exp = state.tokens.get(tok)
            if exp is None:
                self.read_body()
                state.violation("%s: unknown token %r" % (call, tok))
                self.send_json(401, gce_error(401, "Invalid Credentials", "authError"))
                return False
            state.authorized_calls += 1
            if args.revoke_token_after and not state.revoked and state.authorized_calls > args.revoke_token_after:
                state.revoked = True
                state.tokens.clear()
                state.stats["revoked_401"] += 1
                self.read_body()
                self.send_json(401, gce_error(401, "Request had invalid authentication credentials. Expected OAuth 2 "
                                              "access token.", "authError"))
                return False
            if time.time() >= exp:
                state.stats["expired_token_uses"] += 1
                self.read_body()
                self.send_json(401, gce_error(401, "Invalid Credentials (token expired)", "authError"))
                return False
            return True

        def route(self, method):
            u = urllib.parse.urlsplit(self.path)
            q = dict(urllib.parse.parse_qsl(u.query))
            parts = [urllib.parse.unquote(p) for p in u.path.split("/") if p]
            with state.lock:
                call = self.dispatch(method, parts, q)
                state.stats["requests"].append("%s %s" % (method, call))

        def do_GET(self):
            self.route("GET")

        def do_POST(self):
            self.route("POST")

        def do_PUT(self):
            self.route("PUT")

        def do_DELETE(self):
            self.route("DELETE")

        # ---- routing
        def dispatch(self, method, p, q):
            if p == ["token"] and method == "POST":
                if not self.inject("token"):
                    self.token()
                return "token"
            if p[:1] == ["_fake"]:
                return self.control(p[1:])
            call, handler = self.classify(method, p, q)
            if handler is None:
                self.read_body()
                state.violation("unexpected request %s %s" % (method, self.path))
                self.send_json(404, gce_error(404, "fake_gce: no such endpoint", "notFound"))
                return "unknown"
            if call == "upload.put":
                handler()  # the session URI is its own authority
                return call
            if not self.authorized(call) or self.inject(call):
                return call
            handler()
            return call

        def classify(self, method, p, q):
            if p[:3] == ["storage", "v1", "b"] and len(p) == 4 and method == "GET":
                return "buckets.get", lambda: self.bucket_get(p[3])
            if p[:4] == ["upload", "storage", "v1", "b"] and len(p) == 6 and p[5] == "o":
                if method == "POST":
                    return "upload.start", lambda: self.upload_start(p[4], q)
                if method == "PUT":
                    return "upload.put", lambda: self.upload_put(q)
            if p[:3] != ["compute", "v1", "projects"] or len(p) < 4:
                return None, None
            project, rest = p[3], p[4:]
            if project != args.project:
                msg = "The resource 'projects/%s' was not found" % project
                return "projects.any", lambda: (self.read_body(), self.send_json(404, gce_error(404, msg, "notFound")))
            if rest == [] and method == "GET":
                return "projects.get", lambda: self.send_json(200, {"kind": "compute#project", "name": project})
            if rest[:1] == ["global"]:
                if rest[1:2] == ["images"]:
                    if len(rest) == 2 and method == "POST":
                        return "images.insert", lambda: self.image_insert(q)
                    if len(rest) == 3 and method == "GET":
                        return "images.get", lambda: self.image_get(rest[2])
                    if len(rest) == 3 and method == "DELETE":
                        return "images.delete", lambda: self.image_delete(rest[2])
                if rest[1:2] == ["operations"] and len(rest) == 3 and method == "GET":
                    return "globalOperations.get", lambda: self.op_get(rest[2], None)
            if rest[:1] == ["zones"] and len(rest) >= 2:
                zone, zrest = rest[1], rest[2:]
                if zone != args.zone:
                    msg = "The resource 'projects/%s/zones/%s' was not found" % (project, zone)
                    return "zones.any", lambda: (self.read_body(), self.send_json(404, gce_error(404, msg, "notFound")))
                if zrest == [] and method == "GET":
                    return "zones.get", lambda: self.send_json(200, {"kind": "compute#zone", "name": zone,
                                                                     "status": "UP"})
                if zrest[:1] == ["operations"] and len(zrest) == 2 and method == "GET":
                    return "zoneOperations.get", lambda: self.op_get(zrest[1], zone)
                if zrest[:1] == ["instances"]:
                    if len(zrest) == 1 and method == "POST":
                        return "instances.insert", lambda: self.instance_insert(zone, q)
                    if len(zrest) == 2 and method == "GET":
                        return "instances.get", lambda: self.instance_get(zrest[1])
                    if len(zrest) == 2 and method == "DELETE":
                        return "instances.delete", lambda: self.instance_delete(zrest[1], zone)
                    if len(zrest) == 3 and zrest[2] == "serialPort" and method == "GET":
                        return "instances.getSerialPortOutput", lambda: self.serial(zrest[1], q)
            return None, None

        # ---- OAuth2
        def token(self):
            form = dict(urllib.parse.parse_qsl(self.read_body().decode()))
            if self.headers.get("Content-Type", "").split(";")[0] != "application/x-www-form-urlencoded":
                return self.token_error("content type is not a form")
            gt = form.get("grant_type")
            if gt == "urn:ietf:params:oauth:grant-type:jwt-bearer":
                err = self.check_jwt(form.get("assertion", ""))
                if err:
                    return self.token_error(err)
            elif gt == "refresh_token":
                if (form.get("client_id"), form.get("client_secret"), form.get("refresh_token")) != \
                        ("lk-client", "lk-secret", "lk-refresh"):
                    return self.token_error("bad refresh token")
            else:
                return self.token_error("unsupported grant_type %r" % gt)
            state.stats["token_grants"] += 1
            state.stats["grant_types"].append(gt)
            tok = "ya29.fake-%d" % state.next_id()
            state.tokens[tok] = time.time() + args.token_lifetime
            self.send_json(200, {"access_token": tok, "expires_in": args.token_lifetime, "token_type": "Bearer"})

        def token_error(self, why):
            state.violation("token: " + why)
            self.send_json(400, {"error": "invalid_grant", "error_description": why})

        def check_jwt(self, jwt):
            parts = jwt.split(".")
            if len(parts) != 3:
                return "assertion is not a JWT"
            try:
                header = json.loads(b64url_decode(parts[0]))
                claims = json.loads(b64url_decode(parts[1]))
                sig = b64url_decode(parts[2])
            except Exception as e:  # noqa: BLE001 - any decoding problem is the client's
                return "undecodable JWT: %s" % e
            if header != {"alg": "RS256", "typ": "JWT"}:
                return "bad JWT header %r" % header
            now = time.time()
            if claims.get("iss") != args.client_email:
                return "iss %r is not the key's client_email" % claims.get("iss")
            if claims.get("aud") != self.base() + "/token":
                return "aud %r is not the token endpoint" % claims.get("aud")
            if set(str(claims.get("scope", "")).split()) != SCOPES:
                return "scope %r" % claims.get("scope")
            iat, exp = claims.get("iat"), claims.get("exp")
            if not isinstance(iat, int) or not isinstance(exp, int) or abs(iat - now) > 300 or not 0 < exp - iat <= 3600:
                return "bad iat/exp %r/%r" % (iat, exp)
            with tempfile.TemporaryDirectory() as d:
                data, sigf = os.path.join(d, "data"), os.path.join(d, "sig")
                with open(data, "wb") as f:
                    f.write((parts[0] + "." + parts[1]).encode())
                with open(sigf, "wb") as f:
                    f.write(sig)
                r = subprocess.run(["openssl", "dgst", "-sha256", "-verify", args.pubkey, "-signature", sigf, data],
                                   capture_output=True, timeout=20)
                if r.returncode != 0:
                    return "JWT signature does not verify with the test key"
            return None

        # ---- Cloud Storage
        def bucket_get(self, bucket):
            if bucket not in args.bucket:
                return self.send_json(404, gce_error(404, "The specified bucket does not exist.", "notFound"))
            self.send_json(200, {"kind": "storage#bucket", "name": bucket, "id": bucket})

        def upload_start(self, bucket, q):
            body = self.read_body()
            if bucket not in args.bucket:
                return self.send_json(404, gce_error(404, "The specified bucket does not exist.", "notFound"))
            if q.get("uploadType") != "resumable" or not q.get("name"):
                return self.bad("upload start without uploadType=resumable&name=", "upload.start")
            total = self.headers.get("X-Upload-Content-Length")
            if total is None or not total.isdigit():
                return self.bad("no X-Upload-Content-Length", "upload.start")
            if body:
                meta = json.loads(body)
                if meta.get("name") not in (None, q["name"]):
                    return self.bad("metadata name differs from name=", "upload.start")
            if q.get("predefinedAcl"):
                state.stats["public_acl"].append(q["predefinedAcl"])
            uid = "up-%d" % state.next_id()
            state.sessions[uid] = {"bucket": bucket, "object": q["name"], "total": int(total), "data": bytearray()}
            state.stats["uploads_started"] += 1
            loc = "%s/upload/storage/v1/b/%s/o?uploadType=resumable&name=%s&upload_id=%s" % (
                self.base(), bucket, urllib.parse.quote(q["name"]), uid)
            self.send_json(200, {}, {"Location": loc})

        def upload_put(self, q):
            s = state.sessions.get(q.get("upload_id"))
            if s is None:
                self.read_body()
                return self.send_json(404, gce_error(404, "No such upload session.", "notFound"))
            cr = self.headers.get("Content-Range", "")
            n = int(self.headers.get("Content-Length") or 0)
            have = len(s["data"])
            m = re.fullmatch(r"bytes \*/(\d+)", cr)
            if m:
                state.stats["status_queries"] += 1
                self.read_body()
                if int(m.group(1)) != s["total"]:
                    return self.bad("status query total differs", "upload.put")
                return self.upload_reply(s)
            m = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", cr)
            if not m:
                self.read_body()
                return self.bad("bad Content-Range %r" % cr, "upload.put")
            a, b, total = map(int, m.groups())
            if total != s["total"] or b < a or b >= total or n != b - a + 1:
                self.read_body()
                return self.bad("Content-Range %r with Content-Length %d" % (cr, n), "upload.put")
            if (b - a + 1) % QUANTUM and b + 1 != total:
                self.read_body()
                return self.bad("chunk of %d bytes is not a multiple of 256 KiB" % (b - a + 1), "upload.put")
            if a != have:
                self.read_body()
                return self.bad("chunk starts at %d but the server holds %d" % (a, have), "upload.put")
            state.put_count += 1
            if state.put_count in (args.drop_upload_chunk or []):
                # Half the chunk arrives, then the connection dies without an answer.
                part = self.rfile.read(n // 2)
                keep = len(part) // QUANTUM * QUANTUM
                s["data"] += part[:keep]
                state.stats["dropped_chunks"] += 1
                state.stats["chunks"].append({"start": a, "end": b, "result": "dropped", "kept": keep})
                self.close_connection = True
                return
            if self.inject("upload.put"):
                state.stats["chunks"].append({"start": a, "end": b, "result": "injected"})
                return
            s["data"] += self.read_body()
            state.stats["chunks"].append({"start": a, "end": b, "result": "ok"})
            self.upload_reply(s)

        def upload_reply(self, s):
            have = len(s["data"])
            if have == s["total"]:
                key = (s["bucket"], s["object"])
                state.objects[key] = bytes(s["data"])
                if args.state_dir:
                    d = os.path.join(args.state_dir, "objects", s["bucket"])
                    os.makedirs(d, exist_ok=True)
                    with open(os.path.join(d, s["object"]), "wb") as f:
                        f.write(s["data"])
                return self.send_json(200, {"kind": "storage#object", "bucket": s["bucket"], "name": s["object"],
                                            "size": str(have)})
            headers = {"Range": "bytes=0-%d" % (have - 1)} if have else {}
            self.send_json(308, {}, headers)

        # ---- Compute Engine
        def new_op(self, kind, target, zone=None, error=None):
            name = "operation-%d" % state.next_id()
            state.ops[name] = {"polls": 0, "error": error, "zone": zone, "type": kind, "target": target}
            return self.op_json(name)

        def op_json(self, name):
            op = state.ops[name]
            done = op["polls"] >= args.op_polls
            scope = "zones/%s" % op["zone"] if op["zone"] else "global"
            j = {"kind": "compute#operation", "id": str(abs(hash(name)) % 10**18), "name": name,
                 "operationType": op["type"], "targetLink": op["target"], "status": "DONE" if done else "RUNNING",
                 "selfLink": "%s/compute/v1/projects/%s/%s/operations/%s" % (self.base(), args.project, scope, name)}
            if op["zone"]:
                j["zone"] = op["zone"]
            if done and op["error"]:
                code, msg = op["error"]
                j["error"] = {"errors": [{"code": code, "message": msg}]}
                j["httpErrorStatusCode"] = 400
            return j

        def op_get(self, name, zone):
            op = state.ops.get(name)
            if op is None or op["zone"] != zone:
                return self.send_json(404, gce_error(404, "The resource '%s' was not found" % name, "notFound"))
            op["polls"] += 1
            self.send_json(200, self.op_json(name))

        def json_body(self, call):
            try:
                return json.loads(self.read_body() or b"null")
            except ValueError:
                self.bad("body is not JSON", call)
                return None

        def image_insert(self, q):
            body = self.json_body("images.insert")
            if body is None:
                return
            if not q.get("requestId"):
                return self.bad("no requestId", "images.insert")
            name = body.get("name", "")
            if not NAME_RE.match(name):
                return self.bad("bad image name %r" % name, "images.insert")
            src = body.get("rawDisk", {}).get("source", "")
            prefix = self.base() + "/"
            bucket, _, obj = src[len(prefix):].partition("/") if src.startswith(prefix) else ("", "", "")
            if (bucket, urllib.parse.unquote(obj)) not in state.objects:
                return self.bad("rawDisk.source %r is not an uploaded object" % src, "images.insert")
            if name in state.images:
                return self.send_json(409, gce_error(409, "The resource 'projects/%s/global/images/%s' already exists"
                                                     % (args.project, name), "alreadyExists"))
            error = tuple(args.op_error.split(":", 1)) if args.op_error else None
            link = "%s/compute/v1/projects/%s/global/images/%s" % (self.base(), args.project, name)
            if not error:
                state.images[name] = dict(body, kind="compute#image", selfLink=link, status="READY")
            self.send_json(200, self.new_op("insert", link, error=error))

        def image_get(self, name):
            if name not in state.images:
                return self.send_json(404, gce_error(404, "The resource 'projects/%s/global/images/%s' was not found"
                                                     % (args.project, name), "notFound"))
            self.send_json(200, state.images[name])

        def image_delete(self, name):
            self.read_body()
            if name not in state.images:
                return self.send_json(404, gce_error(404, "The resource was not found", "notFound"))
            del state.images[name]
            state.stats["images_deleted"].append(name)
            self.send_json(200, self.new_op("delete", name))

        def instance_insert(self, zone, q):
            body = self.json_body("instances.insert")
            if body is None:
                return
            if not q.get("requestId"):
                return self.bad("no requestId", "instances.insert")
            name = body.get("name", "")
            if not NAME_RE.match(name):
                return self.bad("bad instance name %r" % name, "instances.insert")
            if not re.fullmatch(r"zones/%s/machineTypes/[a-z0-9-]+" % re.escape(zone), body.get("machineType", "")):
                return self.bad("bad machineType %r" % body.get("machineType"), "instances.insert")
            disks = body.get("disks") or [{}]
            src = disks[0].get("initializeParams", {}).get("sourceImage", "")
            if not disks[0].get("boot") or src.rsplit("/", 1)[-1] not in state.images:
                return self.bad("boot disk sourceImage %r is not an image" % src, "instances.insert")
            items = {i["key"]: i["value"] for i in body.get("metadata", {}).get("items", [])}
            if items.get("serial-port-enable") not in ("true", "1", "TRUE"):
                return self.bad("serial-port-enable is not set", "instances.insert")
            if name in state.instances and state.instances[name]["status"] != "DELETED":
                return self.send_json(409, gce_error(409, "The resource 'projects/%s/zones/%s/instances/%s' already "
                                                     "exists" % (args.project, zone, name), "alreadyExists"))
            lines = ["SeaBIOS (version 1.8.2)", "Booting from Hard Disk 0...",
                     "[    0.000000] Linux version 6.1.0-lk (lk@fake) #1 SMP"]
            if "user-data" in items:
                lines.append("metadata: user-data=" + items["user-data"])
            lines += ["Welcome to lk on %s" % body["machineType"].rsplit("/", 1)[-1], "reboot: Power down"]
            state.instances[name] = {"status": "RUNNING", "body": body, "lines": lines, "revealed": 0, "ticks": 0}
            self.send_json(200, self.new_op("insert", name, zone=zone))

        def console_text(self, inst):
            text = "".join(l + "\r\n" for l in inst["lines"][:inst["revealed"]])
            if args.console_endless:
                text += "".join("tick %d\r\n" % i for i in range(inst["ticks"]))
            return text

        def instance_get(self, name):
            inst = state.instances.get(name)
            if inst is None or inst["status"] == "DELETED":
                return self.send_json(404, gce_error(404, "The resource 'instances/%s' was not found" % name,
                                                     "notFound"))
            if inst["revealed"] >= len(inst["lines"]) and not args.console_endless:
                inst["status"] = "TERMINATED"
            self.send_json(200, {"kind": "compute#instance", "name": name, "status": inst["status"],
                                 "machineType": inst["body"]["machineType"]})

        def instance_delete(self, name, zone):
            self.read_body()
            inst = state.instances.get(name)
            if inst is None or inst["status"] == "DELETED":
                return self.send_json(404, gce_error(404, "The resource was not found", "notFound"))
            inst["status"] = "DELETED"
            state.stats["instances_deleted"].append(name)
            self.send_json(200, self.new_op("delete", name, zone=zone))

        def serial(self, name, q):
            inst = state.instances.get(name)
            if inst is None or inst["status"] == "DELETED":
                return self.send_json(404, gce_error(404, "The resource was not found", "notFound"))
            if q.get("port", "1") != "1" or not q.get("start", "").isdigit():
                return self.bad("serialPort needs port=1 and start=N", "instances.getSerialPortOutput")
            start = int(q["start"])
            state.stats["serial_starts"].append(start)
            inst["revealed"] = min(inst["revealed"] + 1, len(inst["lines"]))
            if args.console_endless and inst["revealed"] == len(inst["lines"]):
                inst["ticks"] += 1
            text = self.console_text(inst).encode()
            if start > len(text):
                return self.bad("start %d beyond the output (%d)" % (start, len(text)), "instances.getSerialPortOutput")
            self.send_json(200, {"kind": "compute#serialPortOutput", "contents": text[start:].decode(),
                                 "start": str(start), "next": str(len(text))})

        # ---- control
        def control(self, p):
            if p == ["state"]:
                s = dict(state.stats)
                s["images"] = state.images
                s["instances"] = {k: {"status": v["status"], "body": v["body"]} for k, v in state.instances.items()}
                s["objects"] = ["%s/%s" % k for k in state.objects]
                self.send_json(200, s)
                return "_fake.state"
            self.send_json(404, {})
            return "_fake.unknown"

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--state-dir")
    ap.add_argument("--pubkey", required=True, help="PEM public key of the test service account")
    ap.add_argument("--client-email", required=True)
    ap.add_argument("--project", required=True)
    ap.add_argument("--zone", required=True)
    ap.add_argument("--bucket", action="append", default=[])
    ap.add_argument("--static-token", help="also accept this access token")
    ap.add_argument("--token-lifetime", type=int, default=3600)
    ap.add_argument("--revoke-token-after", type=int, default=0, help="answer 401 after N authorized calls (once)")
    ap.add_argument("--fail", action="append", help="CALL:COUNT:STATUS, e.g. images.insert:2:503")
    ap.add_argument("--drop-upload-chunk", type=int, action="append", help="drop the Nth chunk PUT halfway")
    ap.add_argument("--op-error", help="CODE:MESSAGE for the images.insert operation")
    ap.add_argument("--op-polls", type=int, default=2, help="polls before an operation is DONE")
    ap.add_argument("--console-endless", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(State(args)))
    server.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
