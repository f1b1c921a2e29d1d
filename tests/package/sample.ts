// What a TypeScript app writes with the package (scripts/test-package.sh type-checks it with
// `tsc --noEmit`, against dist/package as `auth-widget`). Each `@ts-expect-error` line is a
// misuse the types must refuse: tsc fails if one of them type-checks.
import "auth-widget";
import type {
  AuthFailureKind,
  AuthMode,
  AuthSuccessDetail,
  AuthWidgetAttributes,
  AuthWidgetElement,
} from "auth-widget";

const el = document.querySelector("auth-widget");
if (el) {
  const widget: AuthWidgetElement = el;
  widget.ready.then(() => console.log("live"), (e: unknown) => console.error(e));
  el.addEventListener("auth-success", (e) => {
    const detail: AuthSuccessDetail = e.detail;
    console.log(detail.user.email, detail.user.id, detail.flow, detail.access_token?.length);
  });
  el.addEventListener("auth-failure", (e) => {
    const kind: AuthFailureKind = e.detail.kind;
    if (e.detail.flow === "load") console.log("the widget could not load", kind);
    console.log(e.detail.status ?? "no status", e.detail.reference);
  });
  el.addEventListener("auth-outcome", (e) => console.log(e.detail.outcome, e.detail.latency_ms.toFixed(0)));
  el.addEventListener("auth-action", (e) => console.log(e.detail.action, e.detail.email));
  el.addEventListener("auth-ready", (e) => console.log(e.type));
  el.addEventListener("click", (e) => console.log(e.clientX)); // other events keep their types

  // @ts-expect-error: no event carries the password
  el.addEventListener("auth-success", (e) => console.log(e.detail.user.password));
  // @ts-expect-error: a failure's status can be null
  el.addEventListener("auth-failure", (e) => console.log(e.detail.status.toFixed()));
  // @ts-expect-error: not a failure the widget tells apart
  el.addEventListener("auth-failure", (e) => e.detail.kind === "wrong_password");
  // @ts-expect-error: `ready` resolves with nothing
  widget.ready.then((value: string) => value.length);
}

const created = document.createElement("auth-widget");
const ready: Promise<void> = created.ready;
const attributes: AuthWidgetAttributes = {
  "api-base": "/auth",
  mode: "signup",
  theme: "dark",
  "timeout-ms": "20000",
  "enumeration-safe": "false",
};
for (const [name, value] of Object.entries(attributes)) created.setAttribute(name, value);
const mode: AuthMode = "reset";
// @ts-expect-error: not a mode
const sideways: AuthMode = "sideways";
// @ts-expect-error: not an attribute of the element
const unknown: AuthWidgetAttributes = { "api-url": "/auth" };
document.body.append(created);
console.log(ready, mode, sideways, unknown);
