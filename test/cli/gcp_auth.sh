# Credentials for lk-push gcp / lk-run gcp against the fake GCE server: service-account
# JWTs (checked against the test key), access tokens, gcloud's authorized_user file,
# renewal before expiry and after a 401, and where the project comes from.
. "$LK_TEST_DIR/lib.sh"
. "$LK_TEST_DIR/gcp/helpers.sh"
plan 29
IMG="$TMP/lkimg.img.tar.gz"
make_image "$IMG" 2
n=0
# push [ARGS...]: a fresh image name each time, so that pushes do not collide.
push() { n=$((n + 1)); bounded 60 lk-push gcp --bucket "$BUCKET" --name "img-$n" "$@" "$IMG"; }

start_fake --static-token ya29.static-token
push --keys "$KEY" --project "$PROJECT" >/dev/null 2>"$TMP/err"
check keys-flag test $? -eq 0
check_state jwt-verified 's["grant_types"], s["violations"]' "(['urn:ietf:params:oauth:grant-type:jwt-bearer'], [])"
GOOGLE_APPLICATION_CREDENTIALS="$KEY" push --project "$PROJECT" >/dev/null 2>&1
check google-application-credentials test $? -eq 0
CLOUDSDK_COMPUTE_KEYS="$KEY" push --project "$PROJECT" >/dev/null 2>&1
check cloudsdk-compute-keys test $? -eq 0
push --keys "$KEY" >"$TMP/out" 2>&1
check project-from-key test $? -eq 0
CLOUDSDK_CORE_PROJECT=elsewhere push --keys "$KEY" >/dev/null 2>"$TMP/err"
check project-from-env grep -q 'project "elsewhere" does not exist' "$TMP/err"
check_state five-grants-so-far 's["token_grants"]' 5

push --access-token ya29.static-token --project "$PROJECT" >/dev/null 2>&1
check access-token-flag test $? -eq 0
CLOUDSDK_AUTH_ACCESS_TOKEN=ya29.static-token push --project "$PROJECT" >/dev/null 2>&1
check access-token-env test $? -eq 0
check_state access-token-no-grant 's["token_grants"]' 5
check_state no-violations 's["violations"]' "[]"
push --access-token ya29.wrong --project "$PROJECT" >/dev/null 2>"$TMP/err"; rc=$?
check bad-access-token-exit-1 test $rc -eq 1
check bad-access-token-message grep -q 'projects.get: HTTP 401: Invalid Credentials (authError)' "$TMP/err"

# gcloud's application-default credentials (authorized_user), under CLOUDSDK_CONFIG or ~/.config/gcloud.
mkdir -p "$TMP/gcloud" "$HOME/.config/gcloud"
printf '{"type":"authorized_user","client_id":"lk-client","client_secret":"lk-secret","refresh_token":"lk-refresh"}' \
  >"$TMP/gcloud/application_default_credentials.json"
CLOUDSDK_CONFIG="$TMP/gcloud" LK_GCP_TOKEN_URL="$FAKE_URL/token" push --project "$PROJECT" >/dev/null 2>"$TMP/err"
check adc-cloudsdk-config test $? -eq 0
cp "$TMP/gcloud/application_default_credentials.json" "$HOME/.config/gcloud/"
push --token-url "$FAKE_URL/token" --project "$PROJECT" >/dev/null 2>&1
check adc-home test $? -eq 0
check_state adc-refresh-grants 's["grant_types"][-2:]' "['refresh_token', 'refresh_token']"
rm "$HOME/.config/gcloud/application_default_credentials.json"

# --token-url wins over the key's token_uri.
write_key "$TMP/elsewhere.json" "http://127.0.0.1:1/token"
push --keys "$TMP/elsewhere.json" --token-url "$FAKE_URL/token" >/dev/null 2>&1
check token-url-flag test $? -eq 0

# Wrong key, no credentials, an unsupported file: clear errors.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TMP/other.pem" 2>/dev/null
write_key "$TMP/other.json" "$FAKE_URL/token" "$TMP/other.pem"
push --keys "$TMP/other.json" >/dev/null 2>"$TMP/err"; rc=$?
check wrong-key-exit-1 test $rc -eq 1
check wrong-key-message grep -q "oauth2 token ($TMP/other.json (--keys)): HTTP 400: invalid_grant: JWT signature does not verify" "$TMP/err"
push --project "$PROJECT" >/dev/null 2>"$TMP/err"; rc=$?
check no-credentials-exit-2 test $rc -eq 2
check no-credentials-message grep -q 'no Google credentials: give --keys' "$TMP/err"
echo '{"type":"external_account"}' >"$TMP/ext.json"
push --keys "$TMP/ext.json" >/dev/null 2>"$TMP/err"; rc=$?
check unsupported-type-exit-2 test $rc -eq 2
check unsupported-type-message grep -q 'credentials of type "external_account" are not supported' "$TMP/err"
echo '{"type":"service_account","client_email":"x@y"}' >"$TMP/half.json"
push --keys "$TMP/half.json" --project "$PROJECT" >/dev/null 2>"$TMP/err"
check key-missing-field grep -q 'missing "private_key"' "$TMP/err"
stop_fake

# A token revoked mid-run (401): renewed once, and the push goes on.
start_fake --revoke-token-after 3 --fail token:1:503
push --keys "$KEY" >/dev/null 2>"$TMP/err"
check revoked-token-exit-0 test $? -eq 0
check_state revoked-token-renewed 's["revoked_401"], s["token_grants"], s["injected"]' "(1, 2, ['token:503'])"
stop_fake

# A short-lived token is renewed before it expires: no request ever carries a stale one.
start_fake --token-lifetime 2 --op-polls 120
push --keys "$KEY" >/dev/null 2>"$TMP/err"
check short-token-exit-0 test $? -eq 0
check_state short-token-renewed-early 's["token_grants"] >= 2, s["expired_token_uses"]' "(True, 0)"
check_state short-token-no-violations 's["violations"]' "[]"
stop_fake
