// bench/driver.mjs: drives an already running headless Chromium over the DevTools protocol
// (Node 20: run with --experimental-websocket) and times the bench pages.
// Usage: node --experimental-websocket bench/driver.mjs WS_URL BASE_URL RUNS
// Each run opens the page in a fresh browser context (cold HTTP cache), injects bench/probe.js
// before any page script, and waits for the probe's result. One discarded warm-up run per page,
// then RUNS runs per page, alternating baseline and widget (the order flips every pair).
import { readFileSync } from "node:fs";

const [wsUrl, base, runsArg] = process.argv.slice(2);
const RUNS = Number(runsArg || 9);
const RUN_TIMEOUT_MS = 30000;
const probe = readFileSync(new URL("./probe.js", import.meta.url), "utf8");
// baseline: the plain form, style and script inline. files: the same form with its style and
// script as files loaded the way the widget's are (a module script and a stylesheet in <head>),
// as any page under a strict CSP must: the floor for anything embedded that way.
// markup: the widget page with the first screen pre-rendered inside <auth-widget> (adopted by the element).
const PAGES = { baseline: `${base}/baseline.html`, files: `${base}/baseline-files.html`, widget: `${base}/widget.html`,
  markup: `${base}/widget-markup.html` };
const NAMES = Object.keys(PAGES);

const ws = new WebSocket(wsUrl);
await new Promise((ok, fail) => { ws.onopen = ok; ws.onerror = () => fail(new Error(`cannot connect to ${wsUrl}`)); });
let nextId = 1;
const pending = new Map();
const waiters = [];
ws.onmessage = (m) => {
  const msg = JSON.parse(m.data);
  if (msg.id && pending.has(msg.id)) {
    const { ok, fail, method } = pending.get(msg.id);
    pending.delete(msg.id);
    msg.error ? fail(new Error(`${method}: ${msg.error.message}`)) : ok(msg.result);
  } else if (msg.method) {
    for (const w of [...waiters]) if (w.match(msg)) { waiters.splice(waiters.indexOf(w), 1); w.ok(msg); }
  }
};
const send = (method, params = {}, sessionId) => new Promise((ok, fail) => {
  const id = nextId++;
  pending.set(id, { ok, fail, method });
  ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
});
const waitEvent = (match, what) => {
  let w;
  const p = new Promise((ok) => { w = { match, ok }; waiters.push(w); });
  let timer;
  const t = new Promise((_, fail) => { timer = setTimeout(() => fail(new Error(`timed out waiting for ${what}`)), RUN_TIMEOUT_MS); });
  return Promise.race([p, t]).finally(() => { clearTimeout(timer); const i = waiters.indexOf(w); if (i >= 0) waiters.splice(i, 1); });
};

async function run(page) {
  const { browserContextId } = await send("Target.createBrowserContext", { disposeOnDetach: true });
  try {
    const { targetId } = await send("Target.createTarget", { url: "about:blank", browserContextId });
    const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });
    await send("Page.enable", {}, sessionId);
    await send("Page.addScriptToEvaluateOnNewDocument", { source: probe }, sessionId);
    const dcl = waitEvent((m) => m.sessionId === sessionId && m.method === "Page.domContentEventFired", `${page} DOMContentLoaded`);
    const nav = await send("Page.navigate", { url: PAGES[page] }, sessionId);
    if (nav.errorText) throw new Error(`${page}: navigation failed: ${nav.errorText}`);
    await dcl;
    const expr = `Promise.race([window.__bench.done, new Promise((_, no) => setTimeout(() => no(new Error("probe timed out: " + JSON.stringify(window.__bench.out))), ${RUN_TIMEOUT_MS}))])`;
    const r = await send("Runtime.evaluate", { expression: expr, awaitPromise: true, returnByValue: true }, sessionId);
    if (r.exceptionDetails) throw new Error(`${page}: ${r.exceptionDetails.exception?.description || r.exceptionDetails.text}`);
    const out = r.result.value;
    if (out.error) throw new Error(`${page}: ${out.error}`);
    return out;
  } finally {
    await send("Target.disposeBrowserContext", { browserContextId }).catch(() => {});
  }
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const results = Object.fromEntries(NAMES.map((n) => [n, []]));
try {
  process.stdout.write("warm-up (discarded):");
  for (const page of NAMES) { await run(page); process.stdout.write(` ${page}`); }
  process.stdout.write("\n");
  for (let i = 0; i < RUNS; i++) {
    const order = NAMES.map((_, k) => NAMES[(i + k) % NAMES.length]); // each page first in turn
    const line = [];
    for (const page of order) {
      const o = await run(page);
      const row = { usable: o.usable, dom: o.bannerDom - o.responseEnd, frame: o.bannerFrame - o.responseEnd, failure: o.failure, resources: o.resources,
        scriptEnd: o.scriptEnd, firstScreen: o.firstScreen, live: o.live };
      results[page].push(row);
      line.push(`${page} usable ${row.usable.toFixed(1)} ms, banner +${row.dom.toFixed(1)}/${row.frame.toFixed(1)} ms (${row.failure})`);
    }
    console.log(`run ${i + 1}/${RUNS}: ${line.join("; ")}`);
  }
} finally {
  ws.close();
}

const stats = {};
for (const page of NAMES) {
  const rs = results[page];
  const u = rs.map((r) => r.usable);
  stats[page] = { usable: median(u), min: Math.min(...u), max: Math.max(...u), dom: median(rs.map((r) => r.dom)), frame: median(rs.map((r) => r.frame)) };
}
const kinds = [...new Set(results.widget.map((r) => r.failure))];
const loaded = [...new Set(results.widget.flatMap((r) => r.resources))].map((u) => new URL(u).pathname).filter((p) => p !== "/auth/login");
console.log(`\nwidget page loaded: ${loaded.join(" ")}`);
console.log(`widget banner data-failure: ${kinds.join(", ")}`);
console.log(`\nTime in headless Chromium, ${RUNS} runs per page, medians in ms since navigation start`);
const row = (cols) => console.log(cols.map((c, i) => (i ? String(c).padStart([0, 13, 19, 19, 22][i]) : String(c).padEnd(9))).join(""));
row(["page", "usable field", "(min .. max)", "resp->banner DOM", "resp->banner frame"]);
for (const page of NAMES) {
  const s = stats[page];
  row([page, s.usable.toFixed(1), `(${s.min.toFixed(1)} .. ${s.max.toFixed(1)})`, s.dom.toFixed(1), s.frame.toFixed(1)]);
}
const phases = ["scriptEnd", "firstScreen", "usable", "live"].map((k) => {
  const xs = results.widget.map((r) => r[k]);
  if (xs.some((x) => x === null || x === undefined)) throw new Error(`widget page: no ${k} in some runs`);
  return median(xs).toFixed(1);
});
console.log(`widget page phases (medians): auth-widget.js arrived ${phases[0]}, first screen in the DOM ${phases[1]},\n` +
  `  usable field painted ${phases[2]}, live widget took over ${phases[3]}`);
const ratio = stats.widget.usable / stats.baseline.usable;
console.log("usable field: first animation frame with a visible, enabled password field; resp->banner: from the\n" +
  "login response's responseEnd (resource timing) to [data-failure] in the DOM, and to the next animation frame.");
const filesRatio = stats.files.usable / stats.baseline.usable;
console.log(`ratio widget/baseline (usable field): ${ratio.toFixed(2)}x   (goal <= 1.3x)`);
console.log(`ratio files/baseline (usable field): ${filesRatio.toFixed(2)}x   (the same plain form, style and script as files)`);
const markupRatio = stats.markup.usable / stats.baseline.usable;
console.log(`ratio markup/baseline (usable field): ${markupRatio.toFixed(2)}x   (the widget page with its first screen pre-rendered)`);
console.log(`BENCH_RESULT usable_baseline_ms=${stats.baseline.usable.toFixed(1)} usable_files_ms=${stats.files.usable.toFixed(1)} usable_widget_ms=${stats.widget.usable.toFixed(1)} ratio=${ratio.toFixed(2)} files_ratio=${filesRatio.toFixed(2)} usable_markup_ms=${stats.markup.usable.toFixed(1)} markup_ratio=${markupRatio.toFixed(2)} banner_dom_ms=${stats.widget.dom.toFixed(1)} banner_frame_ms=${stats.widget.frame.toFixed(1)} script_ms=${phases[0]} first_screen_ms=${phases[1]} live_ms=${phases[3]}`);
