// A better-auth server on node:http, in memory, for the widget's real-server tests.
//
// Environment:
//   PORT                        port on 127.0.0.1 (required)
//   BACKEND_ORIGINS             comma-separated page origins allowed to call it with cookies
//   BACKEND_EMAIL_VERIFICATION  "required" or "optional" (default)
//   BACKEND_SEED_EMAIL, BACKEND_SEED_PASSWORD  a verified account created at start
//
// Only for tests and local trials: the secret is public and the data lives in memory.
import http from "node:http";
import cors from "cors";
import { betterAuth } from "better-auth";
import { memoryAdapter } from "better-auth/adapters/memory";
import { toNodeHandler } from "better-auth/node";

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) throw new Error("PORT must be a port number");
const origins = (process.env.BACKEND_ORIGINS ?? "").split(",").filter(Boolean);
const requireVerification = process.env.BACKEND_EMAIL_VERIFICATION === "required";
const baseURL = `http://127.0.0.1:${port}`;

const db = { user: [], session: [], account: [], verification: [] };
export const auth = betterAuth({
  baseURL,
  secret: "auth-widget-test-backend-not-a-secret-0123456789",
  database: memoryAdapter(db),
  // https://www.better-auth.com/docs/reference/security#trusted-origins
  trustedOrigins: [baseURL, ...origins],
  emailAndPassword: {
    enabled: true,
    requireEmailVerification: requireVerification,
    // Mails are not sent; the tests only need the answers.
    sendResetPassword: async () => {},
  },
  emailVerification: { sendVerificationEmail: async () => {} },
  // https://www.better-auth.com/docs/concepts/rate-limit: on outside production only when asked.
  // Sign-in has its own rule (3 per 10 s); the window/max below cover the other paths.
  rateLimit: { enabled: true, window: 60, max: 100 },
  // Limits are kept per client address. Behind a proxy, that is the one it forwards; here the
  // tests send X-Forwarded-For themselves to give each case its own bucket.
  advanced: { ipAddress: { ipAddressHeaders: ["x-forwarded-for"] } },
});

// CORS with credentials for the page origins, exposing the wait header better-auth sends.
const corsLayer = cors({
  origin: origins,
  credentials: true,
  exposedHeaders: ["x-retry-after"],
});
const handler = toNodeHandler(auth);

const server = http.createServer((req, res) => {
  corsLayer(req, res, () => {
    if (req.url?.startsWith("/api/auth/")) return handler(req, res);
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  });
});

async function seed() {
  const email = process.env.BACKEND_SEED_EMAIL;
  const password = process.env.BACKEND_SEED_PASSWORD;
  if (!email || !password) return;
  await auth.api.signUpEmail({ body: { email, password, name: email.split("@")[0] } });
  const user = db.user.find((u) => u.email === email.toLowerCase());
  user.emailVerified = true;
}

await seed();
server.listen(port, "127.0.0.1", () => console.log(`better-auth listening on ${baseURL}/api/auth`));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close(() => process.exit(0)));
