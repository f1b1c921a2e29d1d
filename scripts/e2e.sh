#!/usr/bin/env bash
# End-to-end journeys (e2e/) through the built demo page in headless Chromium and headless
# Firefox, each against its own reference server. Builds dist/ when it is missing or older
# than its sources, builds the server, runs both browsers at once and prints their counts.
#   bash scripts/e2e.sh                      # everything
#   E2E_BROWSERS=firefox bash scripts/e2e.sh # one browser
#   bash scripts/e2e.sh faults::             # journeys whose name contains a filter
# Failures leave a screenshot, the console and the page under target/e2e/.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
export AUTH_WIDGET_E2E=1
T=${CARGO_TARGET_DIR:-target}
mkdir -p "$T/e2e"
started=$(date +%s)

stale() {
  [ -f dist/index.html ] || return 0
  [ -n "$(find src js style locales public index.html Trunk.toml Cargo.toml Cargo.lock build.rs \
    -newer dist/index.html -print -quit 2>/dev/null)" ]
}
if stale; then
  echo "==> e2e: dist/ is missing or older than its sources: trunk build --release"
  had_embed=0; [ -d dist/embed ] && had_embed=1
  t=$(date +%s)
  trunk build --release
  # trunk replaces dist/ as a whole: put the embeddable build back if there was one.
  if [ "$had_embed" = 1 ]; then bash scripts/embed.sh >/dev/null; fi
  echo "==> e2e: built dist/ in $(( $(date +%s) - t )) s"
else
  echo "==> e2e: dist/ is up to date"
fi
# The gallery journey loads /gallery.html (a copy of the demo page, as `make build-demo` makes).
if [ ! -f dist/gallery.html ] || [ dist/index.html -nt dist/gallery.html ]; then
  cp dist/index.html dist/gallery.html
fi
# The cross-origin host journeys load the embeddable build from dist/embed/.
if [ ! -f dist/embed/auth-widget.js ] || [ -n "$(find src js style locales examples/embed_copy.rs \
    scripts/embed.sh Cargo.toml Cargo.lock build.rs -newer dist/embed/auth-widget.js -print -quit)" ]; then
  echo "==> e2e: dist/embed/ is missing or older than its sources: bash scripts/embed.sh"
  bash scripts/embed.sh >/dev/null
fi

# The React example journey loads dist/react/ (the npm package bundled into a React app).
if [ ! -f dist/react/app.js ] || [ -n "$(find examples/react scripts/react-example.sh scripts/package.sh \
    dist/embed/auth-widget.js -newer dist/react/app.js -print -quit)" ]; then
  echo "==> e2e: dist/react/ is missing or older than its sources: scripts/package.sh, scripts/react-example.sh"
  bash scripts/package.sh >/dev/null
  bash scripts/react-example.sh >/dev/null
fi

echo "==> e2e: building auth-server and the journeys (one workspace build: scripts/cargo-tests.sh)"
bash scripts/cargo-tests.sh

echo "==> e2e: journeys in ${E2E_BROWSERS:-chromium,firefox}"
status=0
bash scripts/cargo-tests.sh auth-widget-e2e -- "$@" 2>&1 | tee "$T/e2e/run.log" || status=$?
echo
for b in chromium firefox; do
  grep -E "^$b: [0-9]+ passed" "$T/e2e/run.log" || true
done
echo "==> e2e: finished in $(( $(date +%s) - started )) s (log: $T/e2e/run.log)"
exit "$status"
