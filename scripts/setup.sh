#!/usr/bin/env bash
# Idempotent setup: installs everything `make demo` and `make test` need on a fresh
# Debian 12 machine, and skips whatever is already present at the pinned version.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130   # must equal the `=` pin of wasm-bindgen in Cargo.toml
GECKODRIVER_VERSION=0.37.1
# prometheus: promtool and a real Prometheus for `make test-alerts`; postgresql: a throwaway
# cluster for `make test-postgres`; haproxy: the load balancer of `make test-cluster` (neither
# system service is used: the tests start their own on loopback). libssl-dev and pkg-config:
# the server's passkeys (webauthn-rs) verify signatures with OpenSSL, found through pkg-config.
APT_PACKAGES=(chromium chromium-driver firefox-esr brotli curl prometheus postgresql haproxy
  libssl-dev pkg-config)

step() { CURRENT_STEP="$1"; printf '\n==> setup: %s\n' "$1"; }
trap 'echo "setup failed during step: ${CURRENT_STEP:-start}" >&2' ERR

step "Rust toolchain and wasm32 target (rust-toolchain.toml)"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
rustup component list --installed | grep -q '^clippy' || rustup component add clippy rustfmt

step "Debian packages: ${APT_PACKAGES[*]}"
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi

# cargo_tool NAME VERSION BIN INSTALL-ARGS...: installs from crates.io unless BIN reports VERSION.
cargo_tool() {
  local name=$1 version=$2 bin=$3; shift 3
  if command -v "$bin" >/dev/null && "$bin" --version 2>/dev/null | grep -q "$version"; then
    echo "$name $version already installed"
  else
    cargo install "$name@$version" "$@"
  fi
}
step "trunk $TRUNK_VERSION (from crates.io)"
cargo_tool trunk "$TRUNK_VERSION" trunk --locked
step "wasm-bindgen-cli $WASM_BINDGEN_VERSION (from crates.io; its lockfile does not resolve, so no --locked)"
cargo_tool wasm-bindgen-cli "$WASM_BINDGEN_VERSION" wasm-bindgen
step "geckodriver $GECKODRIVER_VERSION (from crates.io)"
cargo_tool geckodriver "$GECKODRIVER_VERSION" geckodriver --locked

step "npm packages (wasm-opt from binaryen, terser, axe-core, typescript, esbuild, react) pinned in package-lock.json"
if [ ! -x node_modules/.bin/wasm-opt ] || ! cmp -s package-lock.json node_modules/.package-lock.json.stamp 2>/dev/null; then
  npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.package-lock.json.stamp
fi

# Real auth servers for `make test-backends` (backends/<name>/, see docs/backends.md).
# npm_folder DIR: `npm ci` there unless its node_modules matches its package-lock.json.
npm_folder() {
  local dir=$1
  if ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.package-lock.json.stamp" 2>/dev/null; then
    (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts)
    cp "$dir/package-lock.json" "$dir/node_modules/.package-lock.json.stamp"
  else
    echo "$dir: node_modules matches package-lock.json"
  fi
}
step "better-auth server (npm, backends/better-auth/package-lock.json)"
npm_folder backends/better-auth
step "Firebase Auth emulator (npm firebase-tools, backends/firebase/package-lock.json; large)"
npm_folder backends/firebase
step "django-allauth server (venv from hashed backends/allauth/requirements.txt)"
venv=backends/allauth/.venv
if ! cmp -s backends/allauth/requirements.txt "$venv/requirements.txt.stamp" 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes -r backends/allauth/requirements.txt
  cp backends/allauth/requirements.txt "$venv/requirements.txt.stamp"
else
  echo "$venv: matches requirements.txt"
fi

step "fetch crates so builds can run offline"
cargo fetch --locked >/dev/null 2>&1 || cargo fetch

echo "setup: done"
