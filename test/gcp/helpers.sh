# Sourced by test/cli/gcp_*.sh after test/lib.sh: a test key, test images, and the fake
# GCE server (test/gcp/fake_gce.py) started and stopped by PID, every wait bounded.
FAKE="$LK_TEST_DIR/gcp/fake_gce.py"
PROJECT=lk-test-project
ZONE=europe-west1-d
BUCKET=lk-test-bucket
EMAIL=lk-test@lk-test-project.iam.gserviceaccount.com
FAKE_PIDS=()

gcp_cleanup() {
  local p
  for p in "${FAKE_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${FAKE_PIDS[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap gcp_cleanup EXIT

# Nothing from the caller's own Google setup may leak into a test.
unset GOOGLE_APPLICATION_CREDENTIALS CLOUDSDK_CORE_PROJECT CLOUDSDK_COMPUTE_ZONE CLOUDSDK_COMPUTE_KEYS \
  CLOUDSDK_AUTH_ACCESS_TOKEN CLOUDSDK_CONFIG CLOUDSDK_IMAGE_BUCKET CLOUDSDK_IMAGE_NAME CLOUDSDK_IMAGE_FAMILY \
  CLOUDSDK_IMAGE_PUBLIC CLOUDSDK_COMPUTE_MACHINE LK_GCP_TOKEN_URL
export HOME="$TMP/home" LK_GCP_POLL_MS=20 LK_GCP_BACKOFF_MS=20
mkdir -p "$HOME"

# The service account's key pair, made fresh for every run (no private key in git).
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TMP/sa.pem" 2>/dev/null
openssl pkey -in "$TMP/sa.pem" -pubout -out "$TMP/sa.pub" 2>/dev/null

# write_key FILE TOKEN_URI [PEM]: a service-account key file as the Cloud console makes it.
write_key() {
  python3 - "$1" "$2" "${3:-$TMP/sa.pem}" "$EMAIL" "$PROJECT" <<'PY'
import json, sys
out, uri, pem, email, project = sys.argv[1:]
json.dump({"type": "service_account", "project_id": project, "private_key_id": "0123",
           "private_key": open(pem).read(), "client_email": email, "client_id": "1",
           "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": uri}, open(out, "w"))
PY
}

# make_image FILE [MiB]: a gzip'd oldgnu tar holding a sparse disk.raw with some random data.
make_image() {
  local dir; dir=$(mktemp -d "$TMP/img.XXXX")
  truncate -s "${2:-8}M" "$dir/disk.raw"
  head -c 1100000 /dev/urandom | dd of="$dir/disk.raw" bs=1M seek=1 conv=notrunc status=none
  printf 'lk' | dd of="$dir/disk.raw" bs=1 seek=510 conv=notrunc status=none
  tar --format=oldgnu -C "$dir" -Sczf "$1" disk.raw
}

# start_fake [FLAGS...]: starts the fake, sets FAKE_URL, FAKE_STATE, KEY (a key whose
# token_uri points at the fake) and the LK_GCP_* endpoints.
start_fake() {
  FAKE_STATE=$(mktemp -d "$TMP/fake.XXXX")
  python3 "$FAKE" --port-file "$FAKE_STATE/port" --state-dir "$FAKE_STATE" --pubkey "$TMP/sa.pub" \
    --client-email "$EMAIL" --project "$PROJECT" --zone "$ZONE" --bucket "$BUCKET" "$@" \
    >"$FAKE_STATE/log" 2>&1 &
  FAKE_PIDS+=($!)
  local i
  for i in $(seq 100); do [ -s "$FAKE_STATE/port" ] && break; sleep 0.1; done
  [ -s "$FAKE_STATE/port" ] || { echo "FAIL fake-start: no port after 10 s"; cat "$FAKE_STATE/log"; return 1; }
  FAKE_URL="http://127.0.0.1:$(cat "$FAKE_STATE/port")"
  KEY="$FAKE_STATE/key.json"
  write_key "$KEY" "$FAKE_URL/token"
  export LK_GCP_COMPUTE_URL="$FAKE_URL/compute/v1" LK_GCP_STORAGE_URL="$FAKE_URL"
}

stop_fake() {
  local last=${FAKE_PIDS[-1]}
  kill "$last" 2>/dev/null; wait "$last" 2>/dev/null
  return 0
}

# state EXPR: a Python expression over the fake's recorded state `s`, printed.
state() {
  python3 - "$FAKE_URL" "$1" <<'PY'
import json, sys, urllib.request
s = json.load(urllib.request.urlopen(sys.argv[1] + "/_fake/state", timeout=10))
print(eval(sys.argv[2]))
PY
}

# check_state NAME EXPR EXPECTED
check_state() {
  local got; got=$(state "$2")
  if [ "$got" = "$3" ]; then ok "$1"; else fail "$1" "$2 = $got, expected $3"; fi
}

# Runs a command with a bound on its time (seconds) so that no test can hang.
bounded() { timeout -k 5 "$@"; }
