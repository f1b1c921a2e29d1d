// Misuse that must not type-check (scripts/test-package.sh expects tsc to fail on this file
// with exactly these errors): a detail field that does not exist, and a mode that does not.
import "auth-widget";
import type { AuthMode } from "auth-widget";

document.querySelector("auth-widget")?.addEventListener("auth-success", (e) => console.log(e.detail.password));
const mode: AuthMode = "sideways";
console.log(mode);
