#!/usr/bin/env bash
# Writes the npm package of the embeddable widget into dist/package/ (`make package`):
#   the embed files (dist/embed/: auth-widget.js, auth-widget-core.js, auth-widget-core_bg.wasm,
#   auth-widget.css, locales/, markup/), custom-elements.json (Custom Elements Manifest) and
#   auth-widget.d.ts (TypeScript), both written from the Rust definitions by
#   examples/embed_copy.rs, a package.json and a README.md. Builds dist/embed/ first when it is
#   missing or older than its sources. Publish with `npm publish dist/package`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
EMBED=dist/embed
OUT=dist/package

if [ ! -f "$EMBED/auth-widget.js" ] || [ ! -d "$EMBED/markup" ] || [ -n "$(find src js style locales build.rs \
    examples/embed_copy.rs scripts/embed.sh Cargo.toml Cargo.lock -newer "$EMBED/auth-widget.js" -print -quit)" ]; then
  echo "package: $EMBED is missing or older than its sources: bash scripts/embed.sh"
  bash scripts/embed.sh >/dev/null
fi
rm -rf "$OUT" && mkdir -p "$OUT"
cp -R "$EMBED/auth-widget.js" "$EMBED/auth-widget-core.js" "$EMBED/auth-widget-core_bg.wasm" \
  "$EMBED/auth-widget.css" "$EMBED/locales" "$EMBED/markup" "$OUT/"
cargo run --quiet --example embed_copy -- --manifest >"$OUT/custom-elements.json"
cargo run --quiet --example embed_copy -- --types >"$OUT/auth-widget.d.ts"
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
LICENSE=$(sed -n 's/^license = "\(.*\)"/\1/p' Cargo.toml | head -1)
DESCRIPTION=$(sed -n 's/^description = "\(.*\)"/\1/p' Cargo.toml | head -1)
cat >"$OUT/package.json" <<JSON
{
  "name": "auth-widget",
  "version": "$VERSION",
  "description": "$DESCRIPTION",
  "license": "$LICENSE",
  "type": "module",
  "main": "./auth-widget.js",
  "module": "./auth-widget.js",
  "types": "./auth-widget.d.ts",
  "exports": {
    ".": {
      "types": "./auth-widget.d.ts",
      "default": "./auth-widget.js"
    },
    "./auth-widget.css": "./auth-widget.css",
    "./auth-widget-core.js": "./auth-widget-core.js",
    "./auth-widget-core_bg.wasm": "./auth-widget-core_bg.wasm",
    "./locales/*": "./locales/*",
    "./markup/*": "./markup/*",
    "./custom-elements.json": "./custom-elements.json",
    "./package.json": "./package.json"
  },
  "files": [
    "auth-widget.js",
    "auth-widget.d.ts",
    "auth-widget-core.js",
    "auth-widget-core_bg.wasm",
    "auth-widget.css",
    "locales/*.json",
    "markup/*.html",
    "custom-elements.json"
  ],
  "sideEffects": [
    "./auth-widget.js",
    "*.css"
  ],
  "customElements": "custom-elements.json",
  "keywords": ["web-components", "custom-element", "login", "sign-up", "webassembly"]
}
JSON
cat >"$OUT/README.md" <<'MD'
# auth-widget

`<auth-widget>`: a login and sign-up form that tells people truthfully what went wrong and what
to do next. A custom element (WebAssembly inside), for any page or framework.

```js
import "auth-widget";            // defines <auth-widget> (in a browser; elsewhere it does nothing)
import "auth-widget/auth-widget.css";
```

```html
<auth-widget api-base="/auth" mode="login"></auth-widget>
```

`auth-widget.js` loads `auth-widget-core.js`, `auth-widget-core_bg.wasm` and, for a widget in a
locale other than English, `locales/<tag>.json`, all relative to itself: serve this folder as it
is, or, when a bundler takes `auth-widget.js` in, copy `auth-widget-core_bg.wasm` and `locales/`
next to its output. Serve `.wasm` as `application/wasm`.

- Attributes, events and their details: `custom-elements.json` and `auth-widget.d.ts`
  (`document.querySelector("auth-widget")` is typed; `el.ready` resolves when the live widget
  has taken over).
- `markup/<mode>.<locale>.html`: the first screen pre-rendered, to put inside `<auth-widget>` so
  the form shows before any script runs; the element adopts it, and redraws it (keeping what was
  typed) when it is from another version or for another mode, locale or theme.
MD
echo "package: wrote $OUT ($(find "$OUT" -type f | wc -l) files)"
