// The plain form's script as a file (bench/baseline-files.html), loaded as the widget's is.
const form = document.getElementById("login");
const banner = document.getElementById("banner");
const button = form.querySelector("button");
function show(kind, text) {
  banner.replaceChildren();
  const p = document.createElement("p");
  p.className = "err";
  p.dataset.failure = kind;
  p.textContent = text;
  banner.append(p);
}
form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  button.disabled = true;
  try {
    const res = await fetch("/auth/login", {
      method: "POST",
      credentials: "include",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ email: form.email.value, password: form.password.value }),
    });
    if (res.ok) { banner.replaceChildren(); location.reload(); return; }
    const body = await res.json().catch(() => ({}));
    show(body.code || "http_" + res.status, body.title || "Sign-in failed. Try again.");
  } catch (e) {
    show("network", "The sign-in service could not be reached. Try again.");
  } finally {
    button.disabled = false;
  }
});
