// "Pebble": a tiny JSON API the built-in profiles never saw, for proving that a profile written
// from docs/backends.md alone works (pebble.json). Form-encoded requests, codes nested in an
// array or an object, a bearer-token session check. In memory; PORT=0 picks a free port.
import http from "node:http";
import { randomUUID } from "node:crypto";

const people = new Map([["seeded@example.com", "correct horse battery staple"]]);
const tokens = new Map();
const send = (res, origin, status, body) => {
  res.writeHead(status, {
    "content-type": "application/json",
    "access-control-allow-origin": origin || "*",
    "access-control-allow-headers": "authorization, content-type, accept",
    "vary": "Origin",
  });
  res.end(body === undefined ? "" : JSON.stringify(body));
};
const signedIn = (login) => {
  const access = randomUUID();
  tokens.set(access, login);
  return { result: { person: { key: `p-${login}`, address: login }, credentials: { access } } };
};
const reason = (id) => ({ failure: { reasons: [{ id }] } });

http.createServer((req, res) => {
  const origin = req.headers.origin;
  let raw = "";
  req.on("data", (c) => (raw += c));
  req.on("end", () => {
    if (req.method === "OPTIONS") return send(res, origin, 204);
    const form = new URLSearchParams(raw);
    const login = form.get("login") ?? "";
    const route = `${req.method} ${req.url}`;
    if (route === "POST /auth/token") {
      if (login.startsWith("slow")) return send(res, origin, 429, { fault: { code: "SLOW_DOWN", retry_in: 30 } });
      if (login.startsWith("odd")) return send(res, origin, 400, { fault: { code: "SECOND_STEP_NEEDED" } });
      if (people.get(login) !== form.get("secret")) return send(res, origin, 401, reason("BAD_LOGIN"));
      return send(res, origin, 200, signedIn(login));
    }
    if (route === "POST /people") {
      if (people.has(login)) return send(res, origin, 409, reason("TAKEN"));
      people.set(login, form.get("secret"));
      return send(res, origin, 201, signedIn(login));
    }
    if (route === "GET /auth/whoami") {
      const login = tokens.get((req.headers.authorization ?? "").replace(/^Bearer /, ""));
      if (!login) return send(res, origin, 401, reason("NO_TOKEN"));
      return send(res, origin, 200, { person: { key: `p-${login}`, address: login } });
    }
    if (route === "POST /auth/forgot") return send(res, origin, 204);
    send(res, origin, 404, reason("NOT_FOUND"));
  });
}).listen(Number(process.env.PORT ?? 0), "127.0.0.1", function () {
  console.log(`pebble listening on http://127.0.0.1:${this.address().port}`);
});
