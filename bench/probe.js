// Injected by bench/driver.mjs before any page script (Page.addScriptToEvaluateOnNewDocument).
// Times are performance.now(): milliseconds since the navigation started (timeOrigin).
//  scriptEnd, firstScreen, live (widget page only): auth-widget.js arrived (responseEnd), its
//               first screen was in the DOM, the live widget took over (the widget's marks).
//  usable:      first animation frame in which an enabled, visible password field exists.
//  responseEnd: resource timing responseEnd of the POST .../auth/login made after we submit.
//  bannerDom:   first moment (MutationObserver callback) a [data-failure] element is in the DOM.
//  bannerFrame: start of the first animation frame after bannerDom (the frame that paints it).
(() => {
  const out = { usable: null, responseEnd: null, bannerDom: null, bannerFrame: null, failure: null };
  let finish;
  const done = new Promise((resolve) => (finish = resolve));
  window.__bench = { out, done };
  const check = () => {
    if (out.usable !== null && out.responseEnd !== null && out.bannerFrame !== null) {
      out.resources = performance.getEntriesByType("resource").map((e) => e.name);
      // The widget page's phases: its script arrived, its first screen was drawn, it went live.
      const script = performance.getEntriesByType("resource").find((e) => /\/auth-widget\.js$/.test(e.name));
      const mark = (name) => performance.getEntriesByName(name, "mark")[0]?.startTime ?? null;
      out.scriptEnd = script ? script.responseEnd : null;
      out.firstScreen = mark("auth-widget:first-screen");
      out.live = mark("auth-widget:live");
      finish(out);
    }
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && (el.checkVisibility
      ? el.checkVisibility({ opacityProperty: true, visibilityProperty: true })
      : getComputedStyle(el).visibility === "visible");
  };
  const setValue = (el, v) => {
    el.value = v;
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
  };
  let submitted = false;
  // readyState turns "interactive" before deferred and module scripts run; this event after.
  const contentLoaded = new Promise((resolve) => document.addEventListener("DOMContentLoaded", resolve, { once: true }));
  const submitWrongPassword = (pw) => {
    const form = pw.form;
    const email = form && form.querySelector('input[type="email"], input[name="email"]');
    if (!form || !email) { out.error = "no form or email field next to the password field"; finish(out); return; }
    setValue(email, "demo@example.com");
    setValue(pw, "definitely the wrong password");
    submitted = true;
    form.requestSubmit();
  };
  const frame = () => {
    const pw = document.querySelector('input[type="password"]');
    if (pw && !pw.disabled && pw.matches(":enabled") && visible(pw)) {
      out.usable = performance.now();
      // Submit in the next frame so the form's own first-frame work is not disturbed, and not
      // before the page's scripts have run (a module script runs just before DOMContentLoaded;
      // before that a plain form would submit natively). The field is looked up again: the
      // embed's first screen may have been handed to the live widget meanwhile.
      const submit = () => submitWrongPassword(document.querySelector('input[type="password"]'));
      requestAnimationFrame(() => contentLoaded.then(submit));
      return;
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (submitted && out.responseEnd === null && /\/auth\/login(\?|$)/.test(e.name)) {
        out.responseEnd = e.responseEnd;
        check();
      }
    }
  }).observe({ type: "resource", buffered: true });
  new MutationObserver(() => {
    if (!submitted || out.bannerDom !== null) return;
    const banner = document.querySelector("[data-failure]");
    if (!banner) return;
    out.bannerDom = performance.now();
    out.failure = banner.getAttribute("data-failure");
    requestAnimationFrame(() => { out.bannerFrame = performance.now(); check(); });
  }).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ["data-failure"] });
})();
