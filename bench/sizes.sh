#!/usr/bin/env bash
# bench/sizes.sh DIR: raw / gzip -9 / brotli -q 11 bytes of every file the widget page loads
# from an embed directory (auth-widget.js, auth-widget-core.js, auth-widget-core_bg.wasm,
# auth-widget.css, snippets/**/*.js), one row per file, then a TOTAL row, then the locale files
# (locales/*.json), which only a widget in that locale loads. Used by scripts/bench.sh and scripts/size-budget.sh.
# KB below means 1000 bytes, as in docs/performance.md.
set -euo pipefail
DIR=${1:?usage: bench/sizes.sh DIR}
command -v brotli >/dev/null || { echo "sizes: brotli is not installed (apt-get install brotli)" >&2; exit 1; }
files=()
for f in auth-widget.js auth-widget-core.js auth-widget-core_bg.wasm auth-widget.css; do
  [ -f "$DIR/$f" ] || { echo "sizes: $DIR/$f is missing" >&2; exit 1; }
  files+=("$f")
done
while IFS= read -r f; do files+=("${f#"$DIR"/}"); done < <(find "$DIR/snippets" -type f -name '*.js' 2>/dev/null | sort)
kb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1000 }'; }
printf '%-48s %10s %10s %10s %9s\n' file raw gzip-9 brotli-11 "br KB"
tr=0 tg=0 tb=0
for f in "${files[@]}"; do
  r=$(wc -c <"$DIR/$f")
  g=$(gzip -9 -c "$DIR/$f" | wc -c)
  b=$(brotli -q 11 -c "$DIR/$f" | wc -c)
  tr=$((tr + r)) tg=$((tg + g)) tb=$((tb + b))
  printf '%-48s %10d %10d %10d %9s\n' "$f" "$r" "$g" "$b" "$(kb "$b")"
done
printf '%-48s %10d %10d %10d %9s\n' TOTAL "$tr" "$tg" "$tb" "$(kb "$tb")"
# Not in the total: a page loads one of these only for a widget in that locale (English is
# compiled into the WebAssembly).
while IFS= read -r f; do
  printf '%-48s %10d %10d %10d %9s\n' "(${f#"$DIR"/}, only in that locale)" "$(wc -c <"$f")" \
    "$(gzip -9 -c "$f" | wc -c)" "$(brotli -q 11 -c "$f" | wc -c)" "$(kb "$(brotli -q 11 -c "$f" | wc -c)")"
done < <(find "$DIR/locales" -type f -name '*.json' 2>/dev/null | sort)
