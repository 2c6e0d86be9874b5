# Sourced by the pull tests: start Debian's docker-registry on 127.0.0.1 with a temp
# storage dir (plain, htpasswd, TLS or token auth), push generated images into it with
# skopeo, and stop everything started here by PID when the test exits.
# Needs $TMP (test/lib.sh sets it). Every wait is bounded.
REG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REG_PIDS=()

reg_cleanup() {
  local p
  for p in "${REG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${REG_PIDS[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap reg_cleanup EXIT

reg_have_tools() { command -v docker-registry >/dev/null && command -v skopeo >/dev/null && command -v python3 >/dev/null; }

# free_port: a TCP port free on 127.0.0.1 right now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_port PORT [SECONDS]: until something listens (at most SECONDS, default 20).
wait_port() {
  local port=$1 limit=${2:-20} i
  for ((i = 0; i < limit * 10; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on 127.0.0.1:$port after ${limit}s" >&2
  return 1
}

# start_registry NAME MODE: MODE is plain, htpasswd, tls or token. Sets REG_PORT,
# REG (127.0.0.1:PORT) and, for tls, REG_CA; for token, REG_ISSUER_PORT,
# REG_REFRESH_TOKEN (the identity token the issuer takes) and REG_ISSUER_SETTINGS (write
# {"ttl":N,"age":N,"post_status":N} there to change what the issuer does).
start_registry() {
  local name=$1 mode=$2 dir="$TMP/reg-$1"
  mkdir -p "$dir/storage"
  REG_PORT=$(free_port)
  REG=127.0.0.1:$REG_PORT
  local auth="" tls=""
  case $mode in
    htpasswd)
      htpasswd -Bbc "$dir/htpasswd" alice s3cret >/dev/null 2>&1
      auth="auth:
  htpasswd:
    realm: lk-test
    path: $dir/htpasswd"
      ;;
    tls)
      openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=lk test CA" \
        -keyout "$dir/ca.key" -out "$dir/ca.pem" -addext "basicConstraints=critical,CA:TRUE" >/dev/null 2>&1
      openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$dir/server.key" -out "$dir/server.csr" >/dev/null 2>&1
      printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n' >"$dir/ext.cnf"
      openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
        -extfile "$dir/ext.cnf" -out "$dir/server.pem" >/dev/null 2>&1
      REG_CA=$dir/ca.pem
      tls="  tls:
    certificate: $dir/server.pem
    key: $dir/server.key"
      ;;
    token)
      REG_ISSUER_PORT=$(free_port)
      openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=lk token issuer" \
        -keyout "$dir/token.key" -out "$dir/token.pem" >/dev/null 2>&1
      REG_ISSUER_SETTINGS=$dir/issuer.json
      REG_REFRESH_TOKEN=lk-refresh-$name
      # Appended to, so that a test can empty the log while the issuer writes it.
      TOKEN_SETTINGS=$REG_ISSUER_SETTINGS python3 "$REG_DIR/token_issuer.py" "$REG_ISSUER_PORT" "$dir/token.key" \
        "$dir/token.pem" bob hunter2 "$REG_REFRESH_TOKEN" >>"$dir/issuer.log" 2>&1 &
      REG_PIDS+=($!)
      wait_port "$REG_ISSUER_PORT" || return 1
      auth="auth:
  token:
    realm: http://127.0.0.1:$REG_ISSUER_PORT/token
    service: lk-test-registry
    issuer: lk-test-issuer
    rootcertbundle: $dir/token.pem"
      ;;
  esac
  cat >"$dir/config.yml" <<YML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$REG_PORT
  secret: lk-test-secret
$tls
$auth
YML
  docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
  REG_PIDS+=($!)
  wait_port "$REG_PORT" || { cat "$dir/registry.log" >&2; return 1; }
}

# py FILE EXPR: prints the Python expression EXPR over the JSON document FILE, as p.
py() { python3 -c "import json,sys; p=json.load(open(sys.argv[1])); print($2)" "$1"; }

# mkimage DIR TAG [mkimage.py options]: an OCI layout with generated layers.
mkimage() { python3 "$REG_DIR/mkimage.py" "$@"; }

# push_layout LAYOUT TAG DEST [skopeo dest options]: copy one image into a registry.
push_layout() {
  local layout=$1 tag=$2 dest=$3; shift 3
  timeout 120 skopeo copy -q --all --dest-tls-verify=false "$@" "oci:$layout:$tag" "docker://$dest" >/dev/null
}

# start_proxy UPSTREAM [USER:PASS]: the fault proxy in front of UPSTREAM. Sets
# PROXY (127.0.0.1:PORT), PROXY_RULES (write faults there) and PROXY_LOG.
start_proxy() {
  local port; port=$(free_port)
  PROXY=127.0.0.1:$port
  PROXY_RULES=$TMP/proxy-$port.rules
  PROXY_LOG=$TMP/proxy-$port.log
  echo '[]' >"$PROXY_RULES"; : >"$PROXY_LOG"
  python3 "$REG_DIR/fault_proxy.py" "$port" "$1" "$PROXY_RULES" "$PROXY_LOG" ${2:-} 2>"$TMP/proxy-$port.err" &
  REG_PIDS+=($!)
  wait_port "$port"
}
