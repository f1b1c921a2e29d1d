#!/usr/bin/env bash
# Builds the React example (examples/react/) into dist/react/ with esbuild (pinned in
# package.json): app.js and its chunks, with the package (dist/package, built first when
# missing) taken in as `import "auth-widget"`; next to them the files the element loads
# relative to itself (the .wasm, locales/) and its stylesheet. Served by any static server
# next to the auth API (the e2e journey uses the reference server).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
PKG=dist/package
OUT=dist/react
[ -f "$PKG/auth-widget.js" ] || bash scripts/package.sh >/dev/null
rm -rf "$OUT" && mkdir -p "$OUT"
# --splitting: the WebAssembly's glue stays a chunk of its own, imported after the first screen.
esbuild examples/react/app.jsx --bundle --splitting --format=esm --minify --outdir="$OUT" \
  --jsx=automatic --define:process.env.NODE_ENV='"production"' --alias:auth-widget="./$PKG" \
  --log-level=warning
cp examples/react/index.html "$PKG/auth-widget.css" "$PKG/auth-widget-core_bg.wasm" "$OUT/"
cp -R "$PKG/locales" "$OUT/"
echo "react-example: built $OUT"
