// Importing the package's module in Node (no DOM, as a server that renders pages does) must not
// throw, and must define nothing. scripts/test-package.sh runs it from a folder where
// node_modules/auth-widget is dist/package.
const m = await import("auth-widget");
if (typeof m.define_shell !== "function") throw new Error("auth-widget did not load as a module");
if ("customElements" in globalThis) throw new Error("this check needs a runtime without a DOM");
console.log("node-import: ok: imported auth-widget without a DOM");
