#!/usr/bin/env bash
# Builds the embeddable widget into dist/embed/ with stable names:
#   auth-widget.js: the script pages load. It defines <auth-widget> at once with the shell (the
#     form's first screen, js/element.js, with its copy from locales/ via examples/embed_copy.rs),
#     then loads auth-widget-core.js and auth-widget-core_bg.wasm in parallel; the live widget
#     takes over each shell with what was typed.
#   locales/<tag>.json: the whole copy of each locale but English. The WebAssembly compiles
#     English only (the `embed` feature, build.rs); the element loads a locale's file, while
#     its first screen shows, before a widget in that locale goes live.
#   markup/<mode>.<tag>.html: the first screen of each mode in each locale, pre-rendered from the
#     same definitions, for a page to put inside <auth-widget> (the element adopts it).
#   auth-widget-core.js (wasm-bindgen's glue), auth-widget.css, README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
OUT=dist/embed
WASM_FEATURES="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue"

# Only cdylib: with rlib beside it cargo skips LTO.
cargo rustc --release --target wasm32-unknown-unknown -p auth-widget --lib --crate-type cdylib --features embed
rm -rf "$OUT" && mkdir -p "$OUT"
wasm-bindgen --target web --no-typescript --out-dir "$OUT" --out-name auth-widget-core \
  "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/auth_widget.wasm"
# What the widget never uses goes before and after wasm-opt (scripts/slim-glue.py says what).
python3 scripts/slim-glue.py unexport "$OUT/auth-widget-core_bg.wasm" "$OUT/auth-widget-core.js" intounderlying
# shellcheck disable=SC2086
# --converge repeats -Oz until a pass gains nothing more (2026-11-30: 450 bytes smaller, 53 brotli).
wasm-opt -Oz --converge $WASM_FEATURES "$OUT/auth-widget-core_bg.wasm" -o "$OUT/auth-widget-core_bg.wasm"
python3 scripts/slim-glue.py imports "$OUT/auth-widget-core_bg.wasm" "$OUT/auth-widget-core.js"
grep -q '__wbg_init as default' "$OUT/auth-widget-core.js" || {
  echo "embed: wasm-bindgen output changed shape (no __wbg_init); update scripts/embed.sh" >&2; exit 1; }
# The element class (js/element.js) goes into auth-widget.js itself, so the first screen needs
# one request; the glue imports it from there (one module instance, one class), not from snippets/.
ELEMENT=$(cd "$OUT" && ls snippets/*/js/element.js)
[ "$(echo "$ELEMENT" | wc -l)" = 1 ] || { echo "embed: expected one snippets/*/js/element.js, found: $ELEMENT" >&2; exit 1; }
grep -q "from './$ELEMENT';" "$OUT/auth-widget-core.js" || {
  echo "embed: auth-widget-core.js does not import ./$ELEMENT; update scripts/embed.sh" >&2; exit 1; }
sed -i "s#from './$ELEMENT';#from './auth-widget.js';#" "$OUT/auth-widget-core.js"
[ "$(grep -c "from './snippets/" "$OUT/auth-widget-core.js")" = 0 ] || {
  echo "embed: auth-widget-core.js imports other snippets; update scripts/embed.sh" >&2; exit 1; }
rm -rf "$OUT/snippets"
SPEC=$(cargo run --quiet --example embed_copy)
mkdir -p "$OUT/locales"
FILES=""
for tag in $(cd locales && ls ./*.toml | sed 's#^\./##; s#\.toml$##'); do
  [ "$tag" = en ] && continue
  cargo run --quiet --example embed_copy -- "$tag" >"$OUT/locales/$tag.json"
  FILES="$FILES\"$tag\":new URL(\"locales/$tag.json\",import.meta.url).href,"
done
# The first screen of each mode in each locale as HTML, for pages that put it inside
# <auth-widget> before any script runs (docs/embedding.md, "Pre-rendered first screen").
mkdir -p "$OUT/markup"
for mode in $(node -e 'console.log(Object.keys(JSON.parse(process.argv[1]).modes).join(" "))' "$SPEC"); do
  for tag in $(cd locales && ls ./*.toml | sed 's#^\./##; s#\.toml$##'); do
    cargo run --quiet --example embed_copy -- --markup "$mode" "$tag" >"$OUT/markup/$mode.$tag.html"
  done
done
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
{
  echo "// auth-widget $VERSION: defines <auth-widget>. Its first screen is drawn at once; the WebAssembly"
  echo "// (auth-widget-core.js and auth-widget-core_bg.wasm, next to this file) loads in parallel and takes over."
  cat js/element.js
  cat <<JS

// Nothing to define without a DOM (a server rendering the page imports this module too).
if (globalThis.customElements) {
const wasmUrl = new URL("auth-widget-core_bg.wasm", import.meta.url);
const wasm = fetch(wasmUrl);
wasm.catch(() => {}); // a failed fetch is reported once, by the load below
// The glue module, once imported. A module that failed to import stays failed for its URL,
// so an attempt after the browser came back online imports it under a fresh query.
let core = null;
// The first import names the file literally, so that a bundler that takes this module in
// takes the glue in too (one element class, one module instance).
const importCore = (attempt) => core || (attempt
  ? import(new URL("auth-widget-core.js?attempt=" + attempt, import.meta.url).href)
  : import("./auth-widget-core.js")).then((m) => (core = m));
// Start the WebAssembly once the first screen has been painted, so its start-up work never
// holds that first frame back. A hidden tab paints nothing: start at once there.
const painted = new Promise((done) => {
  if (document.visibilityState === "hidden") return setTimeout(done);
  requestAnimationFrame(() => setTimeout(done));
  document.addEventListener("visibilitychange", done, { once: true });
});
// Attempt 0 uses the fetch started above; each later one (back online) fetches again.
define_shell("auth-widget", $SPEC, (attempt) => painted
  .then(() => importCore(attempt))
  .then((m) => m.default({ module_or_path: attempt ? fetch(wasmUrl) : wasm })), {$FILES});
}
JS
} >"$OUT/auth-widget.js"
# Minified like the WebAssembly: both scripts are ES modules whose exports stay as they are.
for js in auth-widget.js auth-widget-core.js; do
  terser "$OUT/$js" --module --compress passes=2 --mangle --output "$OUT/$js.min"
  mv "$OUT/$js.min" "$OUT/$js"
done
cat style/tokens.css style/widget.css style/banner.css >"$OUT/auth-widget.css"
cat >"$OUT/README.md" <<'MD'
# auth-widget embed files

Copy this folder (all of it) to any static host, then:

```html
<script type="module" src="/embed/auth-widget.js"></script>
<link rel="stylesheet" href="/embed/auth-widget.css">
<auth-widget api-base="https://example.test/auth" mode="login"></auth-widget>
```

Attributes: api-base, mode (login | signup | reset), locale, theme (auto | light | dark), timeout-ms,
status-url (none turns it off), telemetry-url, copy-url, enumeration-safe (true | false).
Events on the element: auth-success, auth-failure, auth-outcome, auth-action.
Serve `.wasm` as `application/wasm`. Works under `script-src 'self' 'wasm-unsafe-eval'; style-src 'self'`.
English is built in; `locales/<tag>.json` is fetched only for a widget in that locale (from
another origin than the page's, serve this folder with CORS and allow it in `connect-src`).
`markup/<mode>.<tag>.html` is the first screen pre-rendered: put it inside `<auth-widget>` and the
form shows before any script runs; the element adopts it (or redraws it, keeping what was typed,
when it is from another version or for another mode, locale or theme).
MD
echo "embed: built $OUT"
ls -l "$OUT"
