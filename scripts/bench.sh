#!/usr/bin/env bash
# `make bench` (docs/performance.md): builds the release embed, prints raw / gzip -9 / brotli -q 11 sizes of
# every file the widget page loads, then times in headless Chromium, against the reference
# server, the widget page and a plain-HTML baseline login page (bench/*.html) served the same way:
#   - median time from navigation start to the first animation frame with a visible, enabled
#     password field (in-page rAF check, bench/probe.js), rotating the pages; a third page is the
#     same plain form with its style and script as files (derived from bench/baseline.html), loaded
#     the way the widget's embed tags load it: the floor for anything embedded that way; a fourth
#     is the widget page with its first screen pre-rendered inside <auth-widget> (widget-markup.html);
#   - median time from the login response arriving (resource timing responseEnd) to the
#     [data-failure] banner being in the DOM, and to the next animation frame, after a wrong password.
# Env: BENCH_RUNS (runs per page, default 9, at least 7), BENCH_NO_BUILD=1 (reuse dist/embed).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
RUNS=${BENCH_RUNS:-9}
[ "$RUNS" -ge 7 ] || { echo "bench: BENCH_RUNS must be at least 7" >&2; exit 2; }
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
TARGET=${CARGO_TARGET_DIR:-$PWD/target}
WORK=$TARGET/bench
SITE=$WORK/site
PROFILE=$WORK/chromium-profile

SERVER_PID="" CHROME_PID="" DRIVER_PID=""
cleanup() {
  [ -n "$DRIVER_PID" ] && { kill "$DRIVER_PID" 2>/dev/null || true; }
  [ -n "$CHROME_PID" ] && { kill -- "-$CHROME_PID" 2>/dev/null || kill "$CHROME_PID" 2>/dev/null || true; }
  [ -n "$SERVER_PID" ] && { kill "$SERVER_PID" 2>/dev/null || true; }
  wait 2>/dev/null || true
  rm -rf "$PROFILE"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  echo "==> bench: release embed build (scripts/embed.sh)"
  bash scripts/embed.sh >/dev/null
fi
echo "==> bench: reference server (release)"
cargo build --release --quiet -p auth-server

rm -rf "$SITE" && mkdir -p "$SITE"
cp -R dist/embed "$SITE/embed"
cp bench/baseline.html bench/widget.html "$SITE/"
# The same plain page with its style and script as files (a stylesheet and a module script in
# <head>, as the widget's embed tags): baseline-files.html, baseline.css, baseline.js.
awk '/<script>/ { inside = 1; next } /<\/script>/ { inside = 0; next } inside' bench/baseline.html >"$SITE/baseline.js"
sed -n 's#.*<style>\(.*\)</style>.*#\1#p' bench/baseline.html >"$SITE/baseline.css"
sed -e 's#<style>.*</style>#<script type="module" src="/baseline.js"></script>\n<link rel="stylesheet" href="/baseline.css">#' \
  -e '/^<script>$/,/^<\/script>$/d' bench/baseline.html >"$SITE/baseline-files.html"
grep -q 'src="/baseline.js"' "$SITE/baseline-files.html" && [ -s "$SITE/baseline.js" ] && [ -s "$SITE/baseline.css" ] || {
  echo "bench: could not derive baseline-files.html from bench/baseline.html" >&2; exit 1; }
# The widget page with its first screen pre-rendered inside <auth-widget> (dist/embed/markup/,
# which the element adopts): widget-markup.html.
MARKUP=$SITE/embed/markup/login.en.html
[ -s "$MARKUP" ] || { echo "bench: $MARKUP is missing (scripts/embed.sh writes it)" >&2; exit 1; }
node -e 'const fs = require("fs"); const [page, markup, out] = process.argv.slice(1);
  fs.writeFileSync(out, fs.readFileSync(page, "utf8").split("></auth-widget>").join(">" + fs.readFileSync(markup, "utf8").trim() + "</auth-widget>"));' \
  bench/widget.html "$MARKUP" "$SITE/widget-markup.html"
grep -q 'data-aw-shell=' "$SITE/widget-markup.html" || { echo "bench: could not derive widget-markup.html" >&2; exit 1; }
[ -f "$SITE/embed/auth-widget-core_bg.wasm" ] || { echo "bench: dist/embed is incomplete (another build running?)" >&2; exit 1; }

echo
echo "Sizes in bytes of every file the widget page loads (KB = 1000 bytes), $(date -u +%F)"
bench/sizes.sh "$SITE/embed"
printf '%-48s %10d %10d %10d\n' "(baseline.html, the whole plain page)" "$(wc -c <"$SITE/baseline.html")" \
  "$(gzip -9 -c "$SITE/baseline.html" | wc -c)" "$(brotli -q 11 -c "$SITE/baseline.html" | wc -c)"
echo

OUT=$WORK/server.out
: >"$OUT"  # truncate now: the background redirect below may happen after the first read
"$TARGET/release/auth-server" --addr 127.0.0.1:0 --db sqlite::memory: --static-dir "$SITE" \
  --seed-demo-user --lockout-threshold 1000000 >"$OUT" 2>"$WORK/server.log" &
SERVER_PID=$!
BASE=""
for _ in $(seq 1 300); do
  BASE=$(sed -n 's/^auth-server listening on //p' "$OUT")
  [ -n "$BASE" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "bench: reference server failed to start:" >&2; cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$BASE" ] || { echo "bench: reference server did not report its address" >&2; exit 1; }

rm -rf "$PROFILE" && mkdir -p "$PROFILE"
# setsid: Chromium and its helpers get their own process group, killed as one on exit.
setsid "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
  --disable-background-networking --disable-component-update --disable-sync --no-first-run \
  --disable-quic --disable-renderer-backgrounding --disable-background-timer-throttling \
  --disable-backgrounding-occluded-windows --remote-debugging-address=127.0.0.1 \
  --remote-debugging-port=0 --user-data-dir="$PROFILE" about:blank >"$WORK/chromium.log" 2>&1 &
CHROME_PID=$!
for _ in $(seq 1 300); do
  # Line 1 is the port, line 2 the browser's WebSocket path (no newline after it).
  [ -n "$(sed -n 2p "$PROFILE/DevToolsActivePort" 2>/dev/null)" ] && break
  kill -0 "$CHROME_PID" 2>/dev/null || { echo "bench: Chromium failed to start:" >&2; cat "$WORK/chromium.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$(sed -n 2p "$PROFILE/DevToolsActivePort" 2>/dev/null)" ] || { echo "bench: Chromium did not open its DevTools port" >&2; exit 1; }
WS="ws://127.0.0.1:$(sed -n 1p "$PROFILE/DevToolsActivePort")$(sed -n 2p "$PROFILE/DevToolsActivePort")"

echo "==> bench: $("$CHROMIUM" --version 2>/dev/null | head -1), pages at $BASE, $RUNS runs per page"
echo "    machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), load average $(cut -d' ' -f1-3 /proc/loadavg)"
# In the background and waited for, so that INT/TERM reach the trap at once.
node --experimental-websocket --no-warnings bench/driver.mjs "$WS" "$BASE" "$RUNS" &
DRIVER_PID=$!
wait "$DRIVER_PID"
DRIVER_PID=""
echo
echo "bench: done in ${SECONDS}s"
