// The <auth-widget> element class, shared by the WebAssembly and the embed script.
//
// define_element: called by the WebAssembly (src/embed.rs) to forward the element's lifecycle.
// define_shell: called first by the embed script (dist/embed/auth-widget.js). It draws the
//   form's first screen the moment the script runs, so people can type while the WebAssembly
//   loads; when it is ready, the live widget takes over with what the person did (the values,
//   the focus, the mode, a submit already asked for), handed to it as one object. If it cannot
//   load, the shell says so and offers a reload instead of a form that silently does nothing;
//   if it cannot load because the browser is offline, the shell says that instead, keeps what
//   was typed, and loads again by itself once the browser is back online.
//   Locales the WebAssembly does not compile in come as files (define_shell's `files`): the
//   element fetches the one a widget needs while its shell shows, and hands over after.
// Readiness, for host pages and their tests: each element's `ready` promise resolves when its
//   live widget has taken over (then `auth-ready` is dispatched on it) and rejects when the
//   widget cannot load; `data-state` is `loading`, `ready`, `signed-in` (set by the live
//   widget) or `unavailable`.
// The first screen holds no definitions of its own: modes, field attributes, links, the minimum
// length, attribute names, event fields and copy all come from `spec`, which `make embed` writes
// from the Rust definitions (src/form.rs, src/shell.rs) the live widget renders from.
// Only DOM methods and textContent: no inline styles, no innerHTML, no eval (strict CSP).

// By element name: { hooks, shells, spec, failed, offline, files }. hooks ({ connected, disconnected,
// changed }) arrive once the WebAssembly is ready; until then connected elements show the shell.
// shells: elements showing the shell (waiting for the WebAssembly, or for their locale's copy).
// files: { tag: url } of the locales the WebAssembly does not compile in (the embed's
// locales/*.json); a widget in one of them goes live once its file has been fetched.
const defined = new Map();

// Locale files by tag: the fetch under way, and the text once settled (null when it failed:
// the widget then shows English, the fallback).
const fetching = new Map();
const fetched = new Map();

// The JSON text of a fetched locale file, for the WebAssembly (src/embed.rs); null if none.
export function locale_copy(tag) {
  return fetched.get(tag) ?? null;
}

// A promise that settles when the copy `el` needs is here; null when it is here already.
function copyReady(el, state) {
  const tag = state.spec ? pickLocale(el, state.spec.copy) : null;
  const url = tag && state.files[tag];
  if (!url || fetched.has(tag)) return null;
  if (!fetching.has(tag)) fetching.set(tag, fetchCopy(tag, url, state));
  return fetching.get(tag);
}

// Fetches a locale file. Offline, the shells say so and it is fetched again once the browser
// is back online; any other failure leaves the widget in English.
function fetchCopy(tag, url, state) {
  return fetch(url)
    .then((r) => (r.ok ? r.text() : Promise.reject(new Error(`HTTP ${r.status}`))))
    .then((text) => { fetched.set(tag, text); })
    .catch((e) => {
      if (isOffline()) return untilOnline(state, e).then(() => fetchCopy(tag, url, state));
      console.warn(`auth-widget: the ${tag} copy (${url}) could not be loaded; showing English`, e);
      fetched.set(tag, null);
    });
}

function isOffline() {
  return navigator.onLine === false;
}

// While the browser is offline, every shell of `state` says so; settles once it is back
// online, when the shells drop that message (the load that failed is then tried again).
function untilOnline(state, e) {
  console.warn("auth-widget: offline while loading; it will finish loading once back online", e);
  state.offline = true;
  for (const el of state.shells) offline(el, state);
  return new Promise((done) => addEventListener("online", done, { once: true })).then(() => {
    state.offline = false;
    for (const el of state.shells) el.querySelector(":scope > [data-aw-shell] [data-failure=offline]")?.remove();
  });
}

// --- readiness ----------------------------------------------------------------------------------

// Per element: { promise, resolve, reject, settled } behind its `ready` property.
const readiness = new WeakMap();

function readyOf(el) {
  let r = readiness.get(el);
  if (!r) {
    r = { settled: false };
    r.promise = new Promise((resolve, reject) => { r.resolve = resolve; r.reject = reject; });
    // A page that never reads `ready` gets no "unhandled rejection" from it; one that awaits it
    // still sees the rejection.
    r.promise.catch(() => {});
    readiness.set(el, r);
  }
  return r;
}

// The live widget has taken `el` over: data-state, `ready`, `auth-ready` (once per element).
function isReady(el) {
  el.setAttribute("data-state", "ready");
  const r = readyOf(el);
  if (r.settled) return;
  r.settled = true;
  r.resolve();
  el.dispatchEvent(new CustomEvent("auth-ready", { bubbles: true, composed: true }));
}

// A performance mark, once per page (`make bench` reads them): "auth-widget:first-screen" when
// the first shell is in the DOM, "auth-widget:live" when the first live widget has taken over.
const marked = new Set();
function markOnce(name) {
  if (marked.has(name)) return;
  marked.add(name);
  performance.mark?.(name);
}

// Hands `el` to the live widget, with what was typed in its shell, once its copy is here;
// until then it keeps (or gets) the shell.
function goLive(el, state) {
  const ready = copyReady(el, state);
  if (ready) {
    if (!el.querySelector(":scope > [data-aw-shell]")) draw(el, state, null);
    state.shells.add(el);
    ready.then(() => { if (state.shells.delete(el) && el.isConnected) goLive(el, state); });
    return;
  }
  const carry = take(el);
  state.hooks.connected(el, carry);
  markOnce("auth-widget:live");
  focusAsBefore(el.querySelector(":scope > .aw-widget"), carry);
  isReady(el);
}

function defineClass(name, state, attributes) {
  defined.set(name, state);
  customElements.define(name, class extends HTMLElement {
    static get observedAttributes() { return attributes; }
    // Resolves once the live widget has taken this element over; rejects if it cannot load.
    get ready() { return readyOf(this).promise; }
    connectedCallback() {
      if (state.hooks) goLive(this, state);
      else { state.shells.add(this); draw(this, state); copyReady(this, state); }
    }
    disconnectedCallback() {
      state.shells.delete(this);
      if (state.hooks) state.hooks.disconnected(this);
    }
    attributeChangedCallback(name, before, after) {
      if (!this.isConnected || before === after) return;
      if (state.shells.has(this)) {
        const carry = take(this);
        // A new mode from the page wins over the one the person switched to in the shell.
        if (carry && name === "mode") carry.mode = null;
        draw(this, state, carry);
        const ready = copyReady(this, state); // the locale may have changed: fetch its copy now
        if (state.hooks && !ready) { state.shells.delete(this); goLive(this, state); }
      } else if (state.hooks) {
        // A live widget re-renders with what was typed (a new mode from the page wins over the
        // one the person switched to), once the copy of a newly asked-for locale is here.
        // An element upgraded in place hears its attributes before it is connected: the
        // widget it is about to get reads them then, so there is nothing to re-render yet.
        if (!this.querySelector(":scope > .aw-widget")) return;
        const rerender = () => {
          const live = this.querySelector(":scope > .aw-widget");
          const carry = live ? capture(live) : null;
          if (carry && name === "mode") carry.mode = null;
          state.hooks.changed(this, carry);
          focusAsBefore(this.querySelector(":scope > .aw-widget"), carry);
          this.setAttribute("data-state", "ready");
        };
        const ready = copyReady(this, state);
        if (ready) ready.then(() => { if (this.isConnected && !state.shells.has(this)) rerender(); });
        else rerender();
      }
    }
  });
}

// connected(el, carry) and changed(el, carry): carry is what the person did in the form the
// live widget replaces (see capture), or null.
export function define_element(name, attributes, connected, disconnected, changed) {
  const hooks = { connected, disconnected, changed };
  const state = defined.get(name);
  if (!state) {
    if (!customElements.get(name)) defineClass(name, { hooks, shells: new Set(), spec: null, files: {} }, attributes);
    return;
  }
  const waiting = state.hooks ? [] : [...state.shells];
  state.hooks = hooks;
  state.shells.clear();
  // The shell defined the class: hand every waiting element over to the live widget.
  for (const el of waiting) goLive(el, state);
}

// load(attempt) loads the WebAssembly (attempt 0, then 1, 2… after each time the browser
// came back online): a promise that rejects when it cannot.
export function define_shell(name, spec, load, files = {}) {
  if (customElements.get(name)) return;
  const state = { hooks: null, shells: new Set(), spec, failed: false, offline: false, files };
  defineClass(name, state, spec.attributes);
  const attempt = (n) => load(n).catch((e) => {
    if (isOffline()) return untilOnline(state, e).then(() => attempt(n + 1));
    state.failed = true;
    console.error("auth-widget: the WebAssembly could not be loaded", e);
    for (const el of state.shells) unavailable(el, state);
  });
  attempt(0);
}

// --- the shell's first screen ---------------------------------------------------------------

function pickLocale(el, copy) {
  const wanted = [el.getAttribute("locale"), ...(navigator.languages || [])];
  for (const tag of wanted) {
    const lang = (tag || "").split(/[-_]/)[0].toLowerCase();
    if (lang && copy[lang]) return lang;
  }
  return "en";
}

function text(copy, locale, key, n) {
  const t = copy[locale].texts[key] ?? copy.en.texts[key] ?? key;
  if (typeof t === "string") return t;
  const category = new Intl.PluralRules(locale).select(n);
  return (t[category] ?? t.other ?? "").replaceAll("{n}", String(n));
}

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

let nextId = 0;

// Draws the first screen in `el`, putting back `carry` (what was typed in the one it replaces).
// Called with no carry when `el` connects: markup already inside it (pre-rendered by `make embed`,
// see docs/embedding.md) is adopted as it is (what was typed, the focus, an early submit stay)
// when it is this spec's first screen for the mode, locale and theme asked for; other markup (a
// stale copy, another mode) is redrawn with what was typed in it.
function draw(el, state, carry) {
  const { spec } = state;
  const locale = pickLocale(el, spec.copy);
  const t = (key, n) => text(spec.copy, locale, key, n);
  const asked = el.getAttribute("mode");
  const mode = carry?.mode ?? (spec.modes[asked] ? asked : spec.default_mode);
  const m = spec.modes[mode];
  const theme = el.getAttribute("theme");
  const attrs = {
    class: "aw-widget", "data-aw-shell": spec.stamp, "data-mode": mode,
    "data-theme": spec.themes.includes(theme) ? theme : null, dir: spec.copy[locale].dir, lang: locale,
  };
  let root = carry === undefined && el.querySelector(":scope > [data-aw-shell]");
  if (!root || Object.entries(attrs).some(([k, v]) => root.getAttribute(k) !== v)) {
    carry ??= take(el);
    const id = `aw-shell${nextId++}`;
    const fields = [h("div", { class: "aw-field" },
      h("label", { class: "aw-field__label", for: `${id}-email` }, t(spec.keys.email_label)),
      h("input", {
        class: "aw-field__input", id: `${id}-email`, name: "email", type: "email", inputmode: "email",
        autocomplete: m.email_autocomplete, spellcheck: "false", autocapitalize: "off",
      }))];
    if (m.password_autocomplete) {
      const hint = m.password_hint
        ? [h("p", { class: "aw-field__hint", id: `${id}-password-hint` }, t(spec.keys.password_hint, spec.min_password))]
        : [];
      fields.push(h("div", { class: "aw-field" },
        h("label", { class: "aw-field__label", for: `${id}-password` }, t(spec.keys.password_label)),
        ...hint, h("div", { class: "aw-password" },
          h("input", {
            class: "aw-field__input aw-password__input", id: `${id}-password`, name: "password",
            type: carry?.shown ? "text" : "password", autocomplete: m.password_autocomplete,
            spellcheck: "false", autocapitalize: "off",
            "aria-describedby": m.password_hint ? `${id}-password-hint` : null,
          }),
          h("button", {
            class: "aw-button aw-button--ghost aw-password__toggle", type: "button",
            "aria-controls": `${id}-password`, "data-action": "toggle_password",
          }, t(carry?.shown ? spec.keys.hide_password : spec.keys.show_password)))));
    }
    root = h("div", attrs, h("h2", { class: "aw-widget__title" }, t(m.title)),
      h("div", { role: "status", class: "aw-live" }),
      h("form", { class: "aw-form", method: "post", novalidate: "" }, ...fields,
        h("button", { class: "aw-button aw-button--primary", type: "submit", "aria-busy": "false" }, t(m.submit))),
      h("div", { class: "aw-widget__links" },
        ...m.links.map(({ action, label }) => h("button", { class: "aw-link", type: "button", "data-action": action }, t(label)))));
    el.append(root);
  }
  el.setAttribute("data-state", "loading");
  markOnce("auth-widget:first-screen");
  if (carry) restore(root, carry);
  if (state.failed) unavailable(el, state);
  else if (state.offline) offline(el, state);
  // Wired once: an element moved in the page connects again with the same first screen.
  if (root.awWired) return;
  root.awWired = 1;
  const q = (css) => root.querySelector(css);
  const password = q("[name=password]");
  q("[data-action=toggle_password]")?.addEventListener("click", (ev) => {
    const shown = password.type === "password";
    password.type = shown ? "text" : "password";
    ev.currentTarget.textContent = t(shown ? spec.keys.hide_password : spec.keys.show_password);
  });
  q("form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    // Nothing can be sent: point at the banner that says why, instead of doing nothing.
    if (state.failed || state.offline) { q("[data-failure]")?.focus(); return; }
    root.setAttribute("data-aw-submitted", "");
    q("[type=submit]").setAttribute("aria-busy", "true");
    q(".aw-live").replaceChildren(h("p", { class: "aw-pending" }, t(m.pending)));
  });
  for (const { action, to } of m.links) {
    q(`[data-action=${action}]`).addEventListener("click", () => {
      const next = take(el);
      next.mode = to;
      next.password = "";
      next.focus = "email";
      draw(el, state, next);
    });
  }
}

// The WebAssembly cannot load: a banner with a reload button, `auth-failure`, `ready` rejects.
function unavailable(el, state) {
  const { spec } = state;
  const t = (root, key) => text(spec.copy, root.getAttribute("lang"), key, 0);
  const shown = banner(el, state, spec.load_failure.kind, "error", spec.keys.unavailable_title,
    spec.keys.unavailable_body, (root) => {
      const reload = h("button", { class: "aw-button aw-button--secondary", type: "button", "data-action": "reload" },
        t(root, spec.keys.reload));
      reload.addEventListener("click", () => location.reload());
      return [h("div", { class: "aw-banner__actions" }, reload)];
    });
  if (!shown) return;
  el.setAttribute("data-state", "unavailable");
  readyOf(el).reject(new Error("auth-widget: the sign-in form could not load"));
  loadFailure(el, state, spec.load_failure.kind);
}

// Offline while loading: the offline words and no button (it finishes loading by itself once
// the browser is back online); `auth-failure` with kind `offline`; still `loading`.
function offline(el, state) {
  const { spec } = state;
  if (banner(el, state, spec.offline_kind, "warning", spec.keys.offline_title, spec.keys.offline_body, () => [])) {
    loadFailure(el, state, spec.offline_kind);
  }
}

// Puts a banner under the shell's title (replacing one already there); false if no shell.
function banner(el, state, kind, tone, title, body, extra) {
  const root = el.querySelector(":scope > [data-aw-shell]");
  if (!root || root.querySelector(`[data-failure="${kind}"]`)) return false;
  root.querySelector("[data-failure]")?.remove();
  const locale = root.getAttribute("lang");
  const t = (key) => text(state.spec.copy, locale, key, 0);
  const box = h("div", { class: `aw-banner aw-banner--${tone}`, "data-failure": kind, "data-tone": tone, tabindex: "-1" },
    h("div", { role: "alert" },
      h("h2", { class: "aw-banner__title" }, t(title)),
      h("p", { class: "aw-banner__body" }, t(body)),
      ...extra(root)));
  root.querySelector(".aw-live").replaceChildren();
  root.querySelector('[type="submit"]').setAttribute("aria-busy", "false");
  root.querySelector(".aw-widget__title").after(box);
  // A submit asked for early is not sent later: the banner says nothing was sent, and points
  // the person at why.
  if (root.hasAttribute("data-aw-submitted")) box.focus();
  root.removeAttribute("data-aw-submitted");
  return true;
}

function loadFailure(el, state, kind) {
  const values = { ...state.spec.load_failure, kind, status: null, reference: null };
  const detail = Object.fromEntries(state.spec.failure_detail.map((k) => [k, values[k] ?? null]));
  el.dispatchEvent(new CustomEvent("auth-failure", { bubbles: true, composed: true, detail }));
}

// --- handing over -----------------------------------------------------------------------------

// What the person did in the shell; removes the shell. null when there is none.
function take(el) {
  const root = el.querySelector(":scope > [data-aw-shell]");
  if (!root) return null;
  const carry = capture(root);
  root.remove();
  return carry;
}

// What the person did in a form (the shell's or the live widget's): mode, values, password
// visibility, focus, an early submit.
function capture(root) {
  const form = root.querySelector("form");
  const active = root.contains(document.activeElement) ? document.activeElement : null;
  const password = form.elements.namedItem("password");
  const carry = {
    mode: root.getAttribute("data-mode"),
    email: form.elements.namedItem("email")?.value ?? "", // a new-password step has none
    password: password ? password.value : "",
    shown: password ? password.type === "text" : false,
    submitted: root.hasAttribute("data-aw-submitted"),
    focus: !active ? null
      : (active.getAttribute("name") || active.getAttribute("data-action") || active.getAttribute("type")),
    selection: active && "selectionStart" in active ? selection(active) : null,
  };
  return carry;
}

function selection(input) {
  try { return [input.selectionStart, input.selectionEnd]; } catch { return null; }
}

function find(root, focus) {
  return root.querySelector(`[name="${focus}"], [data-action="${focus}"], [type="${focus}"]`);
}

// The shell's own re-draw (a mode link, an attribute change) puts back what was typed.
function restore(root, carry) {
  const form = root.querySelector("form");
  for (const name of ["email", "password"]) {
    const input = form.elements.namedItem(name);
    if (input && carry[name]) input.value = carry[name];
  }
  focusAsBefore(root, carry);
}

// Focus (and the caret) where it was in the form `root` replaces. The live widget takes the
// rest of `carry` (mode, values, password visibility, a submit) as its starting state.
function focusAsBefore(root, carry) {
  if (root && carry?.focus) {
    const target = find(root, carry.focus);
    if (target) {
      target.focus();
      if (carry.selection) try { target.setSelectionRange(...carry.selection); } catch { /* email inputs */ }
    }
  }
}
