#!/usr/bin/env python3
"""hostile_server.py PORT: a fake registry on 127.0.0.1:PORT whose answers are attacks
or faults, chosen by the repository name in /v2/NAME/manifests/REF:
  endless      a 200 manifest that never ends (as fast as the socket takes it)
  errbody      a 500 whose error body never ends
  trickle      a 200 manifest sent at 2 bytes/s
  slow         a 200 manifest that never ends, at 8 KiB/s (above the stall rate)
  tokendless   a 401 Bearer challenge whose token service answers without end
  redir        a 302 to file:///etc/passwd
  blobredir    a good manifest whose config blob redirects to file:///etc/passwd
  blobtrickle  a good manifest whose config blob comes at 2 bytes/s
  blobslow     a good manifest whose config blob (48 KiB) takes 6 s at 8 KiB/s
Every loop ends when the client goes away; the server runs until killed."""
import hashlib, json, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port = int(sys.argv[1])
PASSWD = open("/etc/passwd", "rb").read()
CONFIG = b'{"os":"linux","architecture":"amd64","rootfs":{"type":"layers","diff_ids":[]}'
SLOW_BLOB = CONFIG + b" " * (48 * 1024 - len(CONFIG) - 1) + b"}"

def manifest_for(blob):
    return json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                  "digest": "sha256:" + hashlib.sha256(blob).hexdigest(), "size": len(blob)},
                       "layers": []}).encode()

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def head(self, status, length=None, ctype="application/vnd.oci.image.manifest.v1+json", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in extra:
            self.send_header(k, v)
        if length is None:
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def pour(self, chunk, delay):
        while True:
            self.wfile.write(chunk)
            self.wfile.flush()
            if delay:
                time.sleep(delay)

    def serve(self):
        parts = self.path.split("/")
        if self.path.startswith("/token"):
            self.head(200, ctype="application/json")
            self.wfile.write(b'{"token":"')
            return self.pour(b"a" * 65536, 0)
        if self.path == "/v2/" or len(parts) < 5:
            self.head(200, 2, "application/json")
            return self.wfile.write(b"{}")
        name, kind = parts[2], parts[3]
        if kind == "manifests":
            if name == "endless":
                self.head(200)
                return self.pour(b" " * 65536, 0)
            if name == "errbody":
                self.head(500, ctype="text/plain")
                return self.pour(b"x" * 65536, 0)
            if name == "trickle":
                self.head(200, 100000)
                return self.pour(b"  ", 1)
            if name == "slow":
                self.head(200)
                return self.pour(b" " * 1024, 0.125)
            if name == "tokendless":
                self.head(401, 0, "application/json", [("WWW-Authenticate",
                          'Bearer realm="http://127.0.0.1:%d/token",service="x"' % port)])
                return
            if name == "redir":
                self.head(302, 0, extra=[("Location", "file:///etc/passwd")])
                return
            body = manifest_for(SLOW_BLOB if name == "blobslow" else PASSWD)
            self.head(200, len(body))
            return self.wfile.write(body)
        if kind == "blobs":
            if name == "blobredir":
                self.head(307, 0, extra=[("Location", "file:///etc/passwd")])
                return
            if name == "blobtrickle":
                self.head(200, len(PASSWD), "application/octet-stream")
                for i in range(0, len(PASSWD), 2):
                    self.wfile.write(PASSWD[i:i + 2]); self.wfile.flush(); time.sleep(1)
                return
            if name == "blobslow":
                self.head(200, len(SLOW_BLOB), "application/octet-stream")
                for i in range(0, len(SLOW_BLOB), 1024):
                    self.wfile.write(SLOW_BLOB[i:i + 1024]); self.wfile.flush(); time.sleep(0.125)
                return
        self.head(404, 0)

    def do_GET(self):
        try:
            self.serve()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_HEAD(self):
        self.head(404, 0)

ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
