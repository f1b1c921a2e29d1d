#!/usr/bin/env bash
# Fails when the brotli total of the embed files is above the budget in size-budget.toml.
# Builds dist/embed (scripts/embed.sh) first if it is missing or older than its inputs.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
EMBED=dist/embed
BUDGET=$(sed -n 's/^[[:space:]]*brotli_total_bytes[[:space:]]*=[[:space:]]*\([0-9_]*\).*/\1/p' size-budget.toml | tr -d _)
[ -n "$BUDGET" ] || { echo "size-budget: no brotli_total_bytes = N in size-budget.toml" >&2; exit 2; }

INPUTS=(src js style locales build.rs examples/embed_copy.rs Cargo.toml Cargo.lock rust-toolchain.toml scripts/embed.sh)
stale=""
if [ ! -f "$EMBED/auth-widget-core_bg.wasm" ] || [ ! -f "$EMBED/auth-widget.js" ] || [ ! -f "$EMBED/auth-widget.css" ]; then
  stale="missing"
else
  while IFS= read -r f; do
    newer=$(find "${INPUTS[@]}" -newer "$f" -print -quit 2>/dev/null)
    [ -n "$newer" ] && { stale="$newer is newer than $f"; break; }
  done < <(find "$EMBED" -type f ! -name README.md)
fi
if [ -n "$stale" ]; then
  echo "size-budget: building $EMBED ($stale)"
  bash scripts/embed.sh >/dev/null
fi

table=$(bench/sizes.sh "$EMBED")
total=$(awk '$1 == "TOTAL" { print $4 }' <<<"$table")
kb() { awk -v b="$1" 'BEGIN { printf "%.1f KB", b / 1000 }'; }
echo "$table"
if [ "$total" -gt "$BUDGET" ]; then
  echo "size-budget: FAIL: the embed is $total bytes brotli ($(kb "$total")), over the budget of $BUDGET bytes ($(kb "$BUDGET")) in size-budget.toml by $((total - BUDGET)) bytes." >&2
  echo "size-budget: shrink the widget (see docs/performance.md and twiggy), or raise the budget in size-budget.toml with a reason in the commit." >&2
  exit 1
fi
echo "size-budget: ok: $total bytes brotli ($(kb "$total")) within the budget of $BUDGET bytes ($(kb "$BUDGET")), $((BUDGET - total)) bytes to spare; goal 60 KB."
