/**
 * A stand-in for the Spendlens API with seeded, realistic data, for working on the dashboard
 * without the backend and for screenshots. It speaks the API contract the dashboard assumes
 * (src/api/), serves the production build (dist/) with an SPA fallback like backend/web.py, and
 * checks the CSRF header on unsafe methods.
 *
 *   npm run build && node mock/server.mjs            # http://127.0.0.1:8010, sign in as any user
 *   MOCK_ROLE=admin node mock/server.mjs             # already signed in as that role
 *   SPENDLENS_API_URL=http://127.0.0.1:8010 npm run dev   # Vite against the mock
 */
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { alertRules, dataset } from "./data.mjs";

const PORT = Number(process.env.MOCK_PORT ?? 8010);
const DIST = fileURLToPath(new URL("../dist/", import.meta.url));
const CSRF = "mock-csrf-token";
const data = dataset(new Date());
let current = process.env.MOCK_ROLE ? data.users.find((u) => u.role === process.env.MOCK_ROLE) ?? null : null;

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png" };

function send(res, status, body, headers = {}) {
  const text = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(text);
}

function fail(res, status, message, errors) {
  const reasons = { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 422: "Unprocessable Entity" };
  send(res, status, { code: status, status: reasons[status] ?? "Error", message, ...(errors ? { errors } : {}) });
}

async function readJson(req) {
  let raw = "";
  for await (const chunk of req) raw += chunk;
  return raw ? JSON.parse(raw) : {};
}

function me() {
  return { user: { id: current.id, email: current.email, name: current.name, role: current.role }, csrf_token: CSRF };
}

const ADMIN_ONLY = [/^\/api\/(ad-accounts|sync-health|platforms|users|audit)/];

async function api(req, res, url) {
  const path = url.pathname;
  const q = Object.fromEntries(url.searchParams);
  const method = req.method;
  if (method === "POST" && path === "/api/auth/login") {
    const { email, password } = await readJson(req);
    const user = data.users.find((u) => u.email === email);
    if (!email) return fail(res, 422, "Invalid", { email: ["Missing data for required field."] });
    if (!user || password !== "spendlens-demo") return fail(res, 401, "Wrong email or password.");
    current = user;
    return send(res, 200, me());
  }
  if (path === "/api/auth/me") return current ? send(res, 200, me()) : fail(res, 401, "Not signed in");
  if (!current) return fail(res, 401, "Not signed in");
  if (method !== "GET" && req.headers["x-csrf-token"] !== CSRF) return fail(res, 403, "CSRF token missing or wrong");
  if (method === "POST" && path === "/api/auth/logout") {
    current = null;
    return send(res, 204);
  }
  if (method === "POST" && path === "/api/auth/password") {
    const body = await readJson(req);
    if (body.current_password !== "spendlens-demo") return fail(res, 422, "Invalid", { current_password: ["Wrong password."] });
    return send(res, 204);
  }
  if (ADMIN_ONLY.some((re) => re.test(path)) && current.role !== "admin" && !(path === "/api/ad-accounts" && current.role === "finance")) {
    return fail(res, 403, "Admins only");
  }
  const range = { start: q.start, end: q.end };

  if (path === "/api/overview") return send(res, 200, data.overview(range));
  if (path === "/api/roi") return send(res, 200, data.roi({ ...range, group_by: q.group_by ?? "platform", platform: q.platform, account_id: q.account_id, campaign_id: q.campaign_id }));
  if (path === "/api/roi/export.csv") {
    const r = data.roi({ ...range, group_by: q.group_by ?? "platform", platform: q.platform, account_id: q.account_id });
    const cols = ["key", "label", "spend", "installs", "revenue", "roas"];
    const csv = [cols.join(","), ...r.rows.map((row) => cols.map((c) => JSON.stringify(row[c] ?? "")).join(","))].join("\r\n");
    return send(res, 200, csv, { "Content-Type": "text/csv", "Content-Disposition": "attachment; filename=roi.csv" });
  }
  if (path === "/api/cohorts") return send(res, 200, data.cohorts({ ...range, cohort: q.cohort ?? "week", platform: q.platform }));
  if (path === "/api/budgets" && method === "GET") return send(res, 200, data.budgets.map((b) => ({ ...b, pacing: data.pacing(b) })));
  if (path === "/api/budgets" && method === "POST") {
    const body = await readJson(req);
    if (current.role === "marketer") return fail(res, 403, "Finance or admin only");
    if (!(Number(body.amount) > 0)) return fail(res, 422, "Invalid budget", { amount: ["Must be greater than 0."] });
    const b = { ...body, id: Math.max(0, ...data.budgets.map((x) => x.id)) + 1 };
    data.budgets.push(b);
    return send(res, 201, b);
  }
  let m = path.match(/^\/api\/budgets\/(\d+)(\/pacing)?$/);
  if (m) {
    const b = data.budgets.find((x) => x.id === Number(m[1]));
    if (!b) return fail(res, 404, "No such budget");
    if (m[2]) return send(res, 200, data.pacing(b));
    if (method === "PATCH") {
      Object.assign(b, await readJson(req));
      return send(res, 200, b);
    }
    if (method === "DELETE") {
      data.budgets.splice(data.budgets.indexOf(b), 1);
      return send(res, 204);
    }
    return send(res, 200, { ...b, pacing: data.pacing(b) });
  }
  if (path === "/api/alerts/rules") return send(res, 200, alertRules);
  if (path === "/api/alerts") {
    const state = q.state ?? "open";
    const shown = (a) => state === "all" || a.state === state || (state === "unresolved" && a.state !== "resolved");
    return send(res, 200, data.alerts.filter(shown));
  }
  m = path.match(/^\/api\/alerts\/(\d+)\/(acknowledge|snooze)$/);
  if (m) {
    const a = data.alerts.find((x) => x.id === Number(m[1]));
    if (m[2] === "acknowledge") a.acknowledged_at = new Date().toISOString();
    else a.snoozed_until = (await readJson(req)).until;
    return send(res, 200, a);
  }
  if (path === "/api/platforms") {
    return send(res, 200, data.platforms.map((p) => ({ platform: p.platform, available: true, configuration_schema: p.schema, secret_fields: p.schema.secret, message: null })));
  }
  if (path === "/api/sync-health") return send(res, 200, data.syncHealth());
  if (path === "/api/ad-accounts" && method === "GET") return send(res, 200, data.accounts.map(data.publicAccount));
  if (path === "/api/ad-accounts/test-connection") {
    const { platform, credentials } = await readJson(req);
    const bad = Object.values(credentials ?? {}).some((v) => String(v).includes("expired"));
    return send(res, 200, bad ? { ok: false, message: `${platform}: the token has expired (code 190)` } : { ok: true, message: "Authenticated; 3 ad accounts visible", expires_at: new Date(Date.now() + 55 * 86400e3).toISOString() });
  }
  if (path === "/api/ad-accounts" && method === "POST") {
    const body = await readJson(req);
    const schema = data.platforms.find((p) => p.platform === body.platform)?.schema;
    const missing = (schema?.required ?? []).filter((k) => !body.credentials?.[k]);
    if (missing.length) return fail(res, 422, "Invalid credentials", Object.fromEntries(missing.map((k) => [`credentials.${k}`, ["Missing data for required field."]])));
    const a = { ...body, id: Math.max(...data.accounts.map((x) => x.id)) + 1, status: "active", last_error: null, credentials_expire_at: null };
    data.accounts.push(a);
    return send(res, 201, data.publicAccount(a));
  }
  m = path.match(/^\/api\/ad-accounts\/(\d+)(\/test-connection|\/backfill)?$/);
  if (m) {
    const a = data.accounts.find((x) => x.id === Number(m[1]));
    if (!a) return fail(res, 404, "No such account");
    if (m[2] === "/test-connection") return send(res, 200, a.status === "needs_credentials" ? { ok: false, message: "OAuth refresh token revoked: new credentials are needed" } : { ok: true, message: `Reached ${a.external_id}`, accounts: 3, expires_at: a.credentials_expire_at });
    if (m[2] === "/backfill") return send(res, 202, { queued: true, chunks: 3 });
    if (method === "PATCH") {
      const body = await readJson(req);
      const { credentials, ...rest } = body;
      Object.assign(a, rest);
      if (credentials) a.credentials = { ...a.credentials, ...credentials };
      return send(res, 200, data.publicAccount(a));
    }
    return send(res, 200, data.publicAccount(a));
  }
  if (path === "/api/users" && method === "GET") return send(res, 200, data.users);
  if (path === "/api/users" && method === "POST") {
    const body = await readJson(req);
    if (data.users.some((u) => u.email === body.email)) return fail(res, 422, "Invalid", { email: ["A user with this email exists."] });
    const u = { id: data.users.length + 1, email: body.email, name: body.name, role: body.role, is_active: true, last_login_at: null, created_at: new Date().toISOString() };
    data.users.push(u);
    return send(res, 201, u);
  }
  m = path.match(/^\/api\/users\/(\d+)$/);
  if (m && method === "PATCH") {
    const u = data.users.find((x) => x.id === Number(m[1]));
    Object.assign(u, await readJson(req));
    return send(res, 200, u);
  }
  if (path === "/api/audit") {
    let items = data.audit;
    if (q.actor) items = items.filter((e) => e.actor_email.includes(q.actor));
    if (q.action) items = items.filter((e) => e.action.includes(q.action));
    if (q.entity_type) items = items.filter((e) => e.entity_type === q.entity_type);
    const size = Number(q.page_size ?? 50);
    const page = Number(q.page ?? 1);
    return send(res, 200, items.slice((page - 1) * size, page * size), { "X-Pagination": JSON.stringify({ total: items.length, page }) });
  }
  return fail(res, 404, `No route ${method} ${path}`);
}

async function staticFile(res, path) {
  const file = normalize(join(DIST, path));
  if (!file.startsWith(DIST)) return false;
  try {
    if (!(await stat(file)).isFile()) return false;
  } catch {
    return false;
  }
  res.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" });
  res.end(await readFile(file));
  return true;
}

createServer(async (req, res) => {
  const url = new URL(req.url, "http://localhost");
  try {
    if (url.pathname.startsWith("/api/")) return await api(req, res, url);
    if (url.pathname !== "/" && (await staticFile(res, url.pathname))) return;
    if (!(await staticFile(res, "index.html"))) send(res, 404, "Build the dashboard first: npm run build");
  } catch (err) {
    console.error(err);
    fail(res, 500, "Mock server error");
  }
}).listen(PORT, "127.0.0.1", () => console.log(`Spendlens mock API on http://127.0.0.1:${PORT}/ (password: spendlens-demo)`));
