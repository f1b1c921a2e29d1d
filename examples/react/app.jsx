// A React 19 app that uses <auth-widget> from the npm package (dist/package, `make package`):
// it renders the element with attributes from its state and hears the element's events
// through React 19's custom-element support (`onauth-success` listens for `auth-success`).
// Built by scripts/react-example.sh with esbuild; no dev server.
import { StrictMode, useState } from "react";
import { createRoot } from "react-dom/client";
import "auth-widget";

function App() {
  const [mode, setMode] = useState("login");
  const [signedIn, setSignedIn] = useState(null);
  const [events, setEvents] = useState([]);
  const heard = (e) =>
    setEvents((list) => [...list, e.detail?.kind ? `${e.type} ${e.detail.kind}` : e.type]);
  return (
    <main>
      <h1>A React app with auth-widget</h1>
      <p id="who">{signedIn ? `Signed in as ${signedIn}` : "Not signed in"}</p>
      <button type="button" id="switch" onClick={() => setMode(mode === "login" ? "signup" : "login")}>
        {mode === "login" ? "Show the sign-up form" : "Show the sign-in form"}
      </button>
      <auth-widget
        api-base="/auth"
        mode={mode}
        status-url="none"
        onauth-ready={heard}
        onauth-outcome={heard}
        onauth-failure={heard}
        onauth-success={(e) => {
          heard(e);
          setSignedIn(e.detail.user.email);
        }}
      />
      <ol id="events">
        {events.map((line, i) => (
          <li key={i}>{line}</li>
        ))}
      </ol>
    </main>
  );
}

createRoot(document.getElementById("app")).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
