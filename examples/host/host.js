// The host listens to the widget's events like any DOM event, and lists them.
const out = document.getElementById("events");
for (const name of ["auth-ready", "auth-success", "auth-failure", "auth-outcome"]) {
  document.addEventListener(name, (e) => {
    const line = document.createElement("div");
    line.textContent = `${name}: ${JSON.stringify(e.detail)}`;
    out.append(line);
  });
}
