// The host listens to the widget's events like any DOM event.
const out = document.getElementById("events");
for (const name of ["auth-success", "auth-failure", "auth-outcome"]) {
  document.addEventListener(name, (e) => {
    out.textContent = `${name}: ${JSON.stringify(e.detail)}`;
  });
}
