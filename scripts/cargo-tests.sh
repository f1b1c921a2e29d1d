#!/usr/bin/env bash
# cargo-tests.sh [PACKAGE[:TEST]]... [-- ARGS...]
# Builds every test of the workspace once, exactly as `cargo test --workspace` does, then runs
# the test executables of each PACKAGE (all of them, or only the integration test TEST), in the
# package's folder as cargo would, passing ARGS to each. With no PACKAGE it only builds; the
# build includes target/debug/auth-server, the binary the server's integration tests start.
#   bash scripts/cargo-tests.sh auth-server                      # every server test
#   bash scripts/cargo-tests.sh auth-server:hardening -- --ignored
#
# Why not `cargo test -p auth-server`: cargo unifies the features of the packages a command
# names, so `-p auth-server`, `--test X` and `cargo build -p auth-server` each compile another
# copy of most dependencies (syn and everything built with it) beside the workspace build. Three
# copies of the server's tests made a fresh `make test` slower and larger than CI's disk allows.
set -euo pipefail
cd "$(dirname "$0")/.."

selectors=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do selectors+=("$1"); shift; done
[ "${1:-}" = -- ] && shift

list=$(mktemp)
trap 'rm -f "$list"' EXIT
# Diagnostics (warnings, errors) still reach the terminal; the JSON lines name the executables.
cargo test --workspace --no-run --quiet --message-format=json-render-diagnostics |
  python3 -c '
import json, os, sys
for line in sys.stdin:
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") != "compiler-artifact" or not m.get("executable"):
        continue
    if not m["profile"]["test"]:
        continue
    # path+file:///work/main/server#auth-server@0.1.0 (the spec format of cargo 1.77 and later)
    pkg = m["package_id"].split("#")[-1].split("@")[0]
    print(pkg, os.path.dirname(m["manifest_path"]), m["target"]["kind"][0],
          m["target"]["name"], m["executable"], sep="\t")
' >"$list"

[ ${#selectors[@]} -eq 0 ] && exit 0

status=0
for sel in "${selectors[@]}"; do
  want_pkg=${sel%%:*}
  want_test=""
  [ "$sel" != "$want_pkg" ] && want_test=${sel#*:}
  found=0
  while IFS=$'\t' read -r pkg dir kind name exe; do
    [ "$pkg" = "$want_pkg" ] || continue
    if [ -n "$want_test" ]; then
      [ "$kind" = test ] && [ "$name" = "$want_test" ] || continue
    fi
    found=1
    echo "==> $pkg: $kind $name"
    (cd "$dir" && CARGO_MANIFEST_DIR="$dir" CARGO_PKG_NAME="$pkg" "$exe" "$@") || status=1
  done <"$list"
  if [ "$found" = 0 ]; then
    echo "cargo-tests.sh: no test executable for '$sel' in the workspace build" >&2
    status=1
  fi
done
exit "$status"
