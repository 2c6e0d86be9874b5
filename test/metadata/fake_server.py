#!/usr/bin/env python3
"""fake_server.py MODE: a cloud metadata server on 127.0.0.1 for lk-metadata's tests.

MODE is gce, aws (IMDSv2: every GET needs the token from PUT /latest/api/token) or
openstack (EC2's paths, no token). Prints the port, then serves until killed. Every
request is appended to $FAKE_LOG (when set) as "METHOD PATH [header...]".
"""
import http.server
import json
import os
import sys

MODE = sys.argv[1]
TOKEN = "tok-123"
USER_DATA = json.dumps({"ssh": {"entries": {"sshd_config": {"perm": "0600", "content": "PermitRootLogin yes\n"}}},
                        "greeting": {"content": "hello from " + MODE}})
GCE = {
    "instance/hostname": "vm-1.c.lk-test.internal",
    "instance/attributes/ssh-keys": "alice:ssh-ed25519 AAAAinstance alice\n",
    "project/attributes/ssh-keys": "bob:ssh-rsa AAAAproject bob\ncarol:ssh-rsa AAAAexpired google-ssh "
                                   "{\"userName\":\"carol@x\",\"expireOn\":\"2018-01-01T00:00:00+0000\"}\n",
    "instance/attributes/user-data": USER_DATA,
}
EC2 = {
    "meta-data/hostname": "ip-10-0-0-9.ec2.internal",
    "meta-data/public-ipv4": "203.0.113.9",
    "meta-data/local-ipv4": "10.0.0.9",
    "meta-data/placement/availability-zone": "zone-a",
    "meta-data/instance-type": "small",
    "meta-data/instance-id": "i-0009",
    "meta-data/local-hostname": "ip-10-0-0-9",
    "meta-data/public-keys/": "0=first\n1=second",
    "meta-data/public-keys/0/openssh-key": "ssh-rsa AAAAfirst first\n",
    "meta-data/public-keys/1/openssh-key": "ssh-ed25519 AAAAsecond second\n",
    "user-data": USER_DATA,
}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, headers=()):
        data = body.encode()
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def note(self):
        log = os.environ.get("FAKE_LOG")
        if log:
            with open(log, "a") as f:
                hdrs = [f"{k}: {v}" for k, v in self.headers.items() if k.lower().startswith(("metadata", "x-aws"))]
                f.write(" ".join([self.command, self.path] + hdrs) + "\n")

    def do_PUT(self):
        self.note()
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(n)
        if MODE == "aws" and self.path == "/latest/api/token" and \
                self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return self.answer(200, TOKEN)
        self.answer(405 if MODE == "openstack" else 404, "no")

    def do_GET(self):
        self.note()
        if MODE == "gce":
            prefix = "/computeMetadata/v1/"
            if self.headers.get("Metadata-Flavor") != "Google":
                return self.answer(403, "Missing Metadata-Flavor:Google header.")
            key = self.path[len(prefix):] if self.path.startswith(prefix) else None
            if key in GCE:
                return self.answer(200, GCE[key], [("Metadata-Flavor", "Google")])
            return self.answer(404, "not found", [("Metadata-Flavor", "Google")])
        if MODE == "aws" and self.headers.get("X-aws-ec2-metadata-token") != TOKEN:
            return self.answer(401, "")
        key = self.path[len("/latest/"):] if self.path.startswith("/latest/") else None
        if key in EC2:
            return self.answer(200, EC2[key])
        self.answer(404, "not found")


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
