#!/usr/bin/env bash
# Starts the Firebase Auth emulator (firebase-tools pinned in package-lock.json) for a `demo-`
# project, which needs no Google account and makes no calls to Google:
#   PORT=9099 bash start.sh
# It also takes PORT+1 (emulator hub) and PORT+2 (logging). When the emulator answers, it turns on
# email-enumeration protection, as on real projects made since September 2023
# (https://cloud.google.com/identity-platform/docs/admin/email-enumeration-protection), and seeds
# BACKEND_SEED_EMAIL / BACKEND_SEED_PASSWORD as a verified account, both through the emulator's
# admin API (`Authorization: Bearer owner`). Runs in the foreground; stops the emulator on exit.
set -euo pipefail
cd "$(dirname "$0")"
: "${PORT:?PORT must be set}"
PROJECT=${BACKEND_PROJECT:-demo-auth-widget}
work=$(mktemp -d -t firebase-backend.XXXXXX)
emulator=""
cleanup() {
  if [ -n "$emulator" ]; then kill "$emulator" 2>/dev/null || true; wait "$emulator" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# The repository's firebase.json with this run's ports.
node -e '
  const c = JSON.parse(require("fs").readFileSync("firebase.json", "utf8"));
  const p = Number(process.argv[1]);
  c.emulators.auth.port = p; c.emulators.hub.port = p + 1; c.emulators.logging.port = p + 2;
  require("fs").writeFileSync(process.argv[2], JSON.stringify(c));
' "$PORT" "$work/firebase.json"

export FIREBASE_CLI_EXPERIMENTS="" XDG_CONFIG_HOME="$work/config"
node_modules/.bin/firebase emulators:start --only auth --project "$PROJECT" \
  --config "$work/firebase.json" --non-interactive >"$work/emulator.log" 2>&1 &
emulator=$!

base="http://127.0.0.1:$PORT"
for _ in $(seq 1 600); do
  curl -fs -o /dev/null "$base/emulator/v1/projects/$PROJECT/config" -H 'Authorization: Bearer owner' && break
  kill -0 "$emulator" 2>/dev/null || { cat "$work/emulator.log" >&2; exit 1; }
  sleep 0.1
done

admin() { curl -fsS -o /dev/null -H 'Authorization: Bearer owner' -H 'Content-Type: application/json' "$@"; }
if [ -n "${BACKEND_SEED_EMAIL:-}" ]; then
  # accounts:signUp as the project owner may set emailVerified directly.
  admin -X POST "$base/identitytoolkit.googleapis.com/v1/projects/$PROJECT/accounts" \
    -d "$(node -e 'console.log(JSON.stringify({email: process.argv[1], password: process.argv[2], emailVerified: true}))' \
      "$BACKEND_SEED_EMAIL" "$BACKEND_SEED_PASSWORD")"
fi
# Last, so that a client seeing the setting knows the account is there too.
admin -X PATCH "$base/emulator/v1/projects/$PROJECT/config" \
  -d '{"emailPrivacyConfig":{"enableImprovedEmailPrivacy":true}}'
echo "firebase auth emulator ready on $base (project $PROJECT)"
wait "$emulator"
