#!/usr/bin/env bash
# Builds the embeddable widget into dist/embed/ with stable names:
#   auth-widget.js (initialises the WebAssembly itself and defines <auth-widget>),
#   auth-widget_bg.wasm, auth-widget.css, snippets/ (the element class), README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
OUT=dist/embed
WASM_FEATURES="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue"

# Only cdylib: with rlib beside it cargo skips LTO.
cargo rustc --release --target wasm32-unknown-unknown -p auth-widget --lib --crate-type cdylib --features embed
rm -rf "$OUT" && mkdir -p "$OUT"
wasm-bindgen --target web --no-typescript --out-dir "$OUT" --out-name auth-widget \
  target/wasm32-unknown-unknown/release/auth_widget.wasm
# shellcheck disable=SC2086
wasm-opt -Oz $WASM_FEATURES "$OUT/auth-widget_bg.wasm" -o "$OUT/auth-widget_bg.wasm"
grep -q '__wbg_init as default' "$OUT/auth-widget.js" || {
  echo "embed: wasm-bindgen output changed shape (no __wbg_init); update scripts/embed.sh" >&2; exit 1; }
cat >>"$OUT/auth-widget.js" <<'JS'

// auth-widget: load the WebAssembly next to this file; its start function defines <auth-widget>.
__wbg_init().catch((e) => console.error("auth-widget: the WebAssembly could not be loaded", e));
JS
cat style/tokens.css style/widget.css style/banner.css >"$OUT/auth-widget.css"
cat >"$OUT/README.md" <<'MD'
# auth-widget embed files

Copy this folder (all of it, including `snippets/`) to any static host, then:

```html
<script type="module" src="/embed/auth-widget.js"></script>
<link rel="stylesheet" href="/embed/auth-widget.css">
<auth-widget api-base="https://example.test/auth" mode="login"></auth-widget>
```

Attributes: api-base, mode (login | signup), locale, theme (auto | light | dark), timeout-ms,
status-url (none turns it off), telemetry-url, copy-url, enumeration-safe (true | false).
Events on the element: auth-success, auth-failure, auth-outcome, auth-action.
Serve `.wasm` as `application/wasm`. Works under `script-src 'self' 'wasm-unsafe-eval'; style-src 'self'`.
MD
echo "embed: built $OUT"
ls -l "$OUT"
