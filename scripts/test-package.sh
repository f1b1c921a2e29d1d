#!/usr/bin/env bash
# `make test-package`: checks the npm package (scripts/package.sh) as its users get it.
#   1. `npm pack --dry-run` lists exactly the files that belong in it, and nothing else;
#   2. custom-elements.json names the tag, every attribute and every event the element has;
#   3. `tsc --noEmit` (typescript pinned in package.json) type-checks tests/package/sample.ts,
#      whose @ts-expect-error lines are misuses the types must refuse, and fails on
#      tests/package/misuse.ts with exactly the expected errors;
#   4. importing the module in Node, with no DOM, does not throw (tests/package/node-import.mjs);
#   5. the React example (examples/react/) bundles with esbuild (its browser journey is in e2e/).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
PKG=$PWD/dist/package
T=${CARGO_TARGET_DIR:-$PWD/target}
WORK=$T/package-test
fail() { echo "test-package: FAIL: $*" >&2; exit 1; }

bash scripts/package.sh

echo "==> test-package: npm pack --dry-run lists only what belongs"
SPEC=$(cargo run --quiet --example embed_copy)
expected=$(node -e '
  const spec = JSON.parse(process.argv[1]);
  const tags = process.argv.slice(2);
  const files = ["README.md", "package.json", "auth-widget.js", "auth-widget.d.ts", "auth-widget-core.js",
    "auth-widget-core_bg.wasm", "auth-widget.css", "custom-elements.json"];
  for (const t of tags) if (t !== "en") files.push(`locales/${t}.json`);
  for (const m of Object.keys(spec.modes)) for (const t of tags) files.push(`markup/${m}.${t}.html`);
  console.log(files.sort().join("\n"));
' "$SPEC" $(cd locales && ls ./*.toml | sed 's#^\./##; s#\.toml$##'))
listed=$(cd "$PKG" && npm pack --dry-run --json 2>/dev/null | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const [p] = JSON.parse(s);
    console.log(p.files.map((f) => f.path).sort().join("\n"));
  });')
if [ "$listed" != "$expected" ]; then
  diff <(echo "$expected") <(echo "$listed") >&2 || true
  fail "npm pack lists other files than expected (< expected, > listed)"
fi
echo "npm pack: $(echo "$listed" | wc -l) files, as expected"

echo "==> test-package: custom-elements.json"
node -e '
  const fs = require("fs");
  const m = JSON.parse(fs.readFileSync(process.argv[1] + "/custom-elements.json", "utf8"));
  const pkg = JSON.parse(fs.readFileSync(process.argv[1] + "/package.json", "utf8"));
  const spec = JSON.parse(process.argv[2]);
  const ok = (c, what) => { if (!c) { console.error("custom-elements.json: " + what); process.exit(1); } };
  ok(pkg.customElements === "custom-elements.json", "package.json names it");
  ok(m.schemaVersion === "2.1.0", "schemaVersion 2.1.0");
  const [mod] = m.modules;
  ok(mod.kind === "javascript-module" && mod.path === "auth-widget.js", "the module is auth-widget.js");
  const cls = mod.declarations.find((d) => d.customElement && d.tagName === "auth-widget");
  ok(cls, "a custom element declaration for auth-widget");
  ok(JSON.stringify(cls.attributes.map((a) => a.name)) === JSON.stringify(spec.attributes), "every attribute, in order");
  ok(cls.attributes.every((a) => a.description && a.type && a.type.text), "each attribute has a type and a description");
  const events = cls.events.map((e) => e.name).sort().join(" ");
  ok(events === "auth-action auth-failure auth-outcome auth-ready auth-success", "the events: " + events);
  ok(cls.members.some((f) => f.name === "ready" && f.type.text === "Promise<void>"), "the ready promise");
  ok(mod.exports.some((e) => e.kind === "custom-element-definition" && e.name === "auth-widget"), "the definition export");
  console.log("custom-elements.json: auth-widget with " + cls.attributes.length + " attributes and " + cls.events.length + " events");
' "$PKG" "$SPEC"

echo "==> test-package: tsc $(tsc --version) on a sample app"
rm -rf "$WORK" && mkdir -p "$WORK/node_modules"
ln -s "$PKG" "$WORK/node_modules/auth-widget"
cp tests/package/sample.ts tests/package/misuse.ts tests/package/tsconfig.json tests/package/node-import.mjs "$WORK/"
(cd "$WORK" && timeout 120 tsc -p tsconfig.json) || fail "tsc rejected tests/package/sample.ts"
echo "sample.ts: type-checks (and each @ts-expect-error misuse is refused)"
sed 's/"sample.ts"/"misuse.ts"/' tests/package/tsconfig.json >"$WORK/tsconfig.misuse.json"
status=0
out=$(cd "$WORK" && timeout 120 tsc -p tsconfig.misuse.json 2>&1) || status=$?
[ "$status" != 0 ] || fail "tsc accepted tests/package/misuse.ts"
errors=$(grep -o 'error TS[0-9]*' <<<"$out" | sort | tr '\n' ' ')
[ "$errors" = "error TS2322 error TS2339 " ] || { echo "$out" >&2; fail "misuse.ts: expected TS2322 and TS2339, got: ${errors:-none}"; }
grep -q "Property 'password' does not exist" <<<"$out" || { echo "$out" >&2; fail "misuse.ts: no error for detail.password"; }
echo "misuse.ts: refused ($errors)"

echo "==> test-package: import in Node $(node --version), no DOM"
(cd "$WORK" && timeout 30 node node-import.mjs) || fail "importing auth-widget in Node threw"

echo "==> test-package: the React example bundles"
timeout 120 bash scripts/react-example.sh
[ -s dist/react/app.js ] && [ -f dist/react/auth-widget-core_bg.wasm ] || fail "dist/react is incomplete"
grep -q "auth-widget" dist/react/app.js || fail "dist/react/app.js does not take the element in"
echo "test-package: ok"
