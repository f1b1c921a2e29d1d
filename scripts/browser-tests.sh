#!/usr/bin/env bash
# Runs the wasm-bindgen browser tests in headless Chromium and headless Firefox against a
# reference server started here on an ephemeral port with a fresh in-memory database.
# BROWSERS=chromium (or firefox) runs one browser only, for a quicker loop while developing;
# arguments are passed to the test harness (a test name filter, for one test).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

# target/debug/auth-server, from the same workspace build as every other test (scripts/cargo-tests.sh).
bash scripts/cargo-tests.sh
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
RUNNER_PORT=$(free_port)
T=${CARGO_TARGET_DIR:-target}
mkdir -p "$T/browser-tests"
OUT=$T/browser-tests/server.out
LOG=$T/browser-tests/server.log
# --demo-admin-on-public: the tests set faults and the status through the public port, from
# the test page's origin; --rate-limit-burst 600: every test comes from one address.
"$T/debug/auth-server" --addr 127.0.0.1:0 --db sqlite::memory: --seed-demo-user --faults \
  --demo-admin-on-public --rate-limit-burst 600 \
  --allow-origin "http://127.0.0.1:$RUNNER_PORT" >"$OUT" 2>"$LOG" &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true' EXIT
API=""
for _ in $(seq 1 300); do
  API=$(sed -n 's/^auth-server listening on //p' "$OUT")
  [ -n "$API" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "reference server failed to start:"; cat "$LOG"; exit 1; }
  sleep 0.1
done
[ -n "$API" ] || { echo "reference server did not report its address"; cat "$LOG"; exit 1; }
echo "reference server at $API; test pages served from 127.0.0.1:$RUNNER_PORT"

export AUTH_TEST_API="$API"
export WASM_BINDGEN_TEST_ADDRESS="127.0.0.1:$RUNNER_PORT"
export WASM_BINDGEN_TEST_NO_ORIGIN_ISOLATION=1
export WASM_BINDGEN_TEST_TIMEOUT=60
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner

status=0
for browser in ${BROWSERS:-chromium firefox}; do
  echo
  echo "==> browser tests in headless $browser"
  if [ "$browser" = chromium ]; then
    driver=(env -u GECKODRIVER CHROMEDRIVER=/usr/bin/chromedriver)
  else
    driver=(env -u CHROMEDRIVER GECKODRIVER="$(command -v geckodriver)")
  fi
  "${driver[@]}" cargo test --target wasm32-unknown-unknown -p auth-widget --test web -- "$@" || status=1
  echo "==> example Leptos app in headless $browser"
  "${driver[@]}" cargo test --target wasm32-unknown-unknown -p leptos-app-example --test web -- "$@" || status=1
done
if [ "$status" -ne 0 ]; then
  echo "browser tests failed; reference server log: $LOG"
fi
exit "$status"
