// A better-auth server on node:http, in memory, for the widget's real-server tests.
//
// Environment:
//   PORT                        port on 127.0.0.1 (required)
//   BACKEND_ORIGINS             comma-separated page origins allowed to call it with cookies
//   BACKEND_EMAIL_VERIFICATION  "required" or "optional" (default)
//   BACKEND_SEED_EMAIL, BACKEND_SEED_PASSWORD  a verified account created at start
//   BACKEND_MAIL_DIR            where the mails it would send are written, one JSON file each
//                               ({"to", "kind", "url", "token"}); unset: they are dropped
//   BACKEND_LINK_TTL_SECS       lifetime of reset and verification links (default 3600)
//
// Only for tests and local trials: the secret is public and the data lives in memory.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import cors from "cors";
import { betterAuth } from "better-auth";
import { memoryAdapter } from "better-auth/adapters/memory";
import { toNodeHandler } from "better-auth/node";

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) throw new Error("PORT must be a port number");
const origins = (process.env.BACKEND_ORIGINS ?? "").split(",").filter(Boolean);
const requireVerification = process.env.BACKEND_EMAIL_VERIFICATION === "required";
const baseURL = `http://127.0.0.1:${port}`;
const mailDir = process.env.BACKEND_MAIL_DIR;
// Link lifetimes in seconds (better-auth's defaults: an hour each); shorter only for tests.
const linkTtl = Number(process.env.BACKEND_LINK_TTL_SECS) || 3600;

// Instead of an email: the link and its token in a file, for the tests to follow.
let mailCount = 0;
function mail(kind) {
  return async ({ user, url, token }) => {
    if (!mailDir) return;
    mailCount += 1;
    const name = `${String(mailCount).padStart(6, "0")}-${kind}.json`;
    const text = JSON.stringify({ to: user.email, kind, url, token });
    // Written whole under a temporary name, then renamed: a reader never sees half a file.
    await fs.promises.writeFile(path.join(mailDir, `.${name}`), text);
    await fs.promises.rename(path.join(mailDir, `.${name}`), path.join(mailDir, name));
  };
}

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
    // A completed reset ends every session of the account, as the widget's contract does.
    revokeSessionsOnPasswordReset: true,
    sendResetPassword: mail("reset-password"),
    resetPasswordTokenExpiresIn: linkTtl,
  },
  emailVerification: {
    sendVerificationEmail: mail("verify-email"),
    expiresIn: linkTtl,
  },
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
