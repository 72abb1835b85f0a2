import { ApiError, buildUrl, flattenFieldErrors, http, onUnauthorized, setCsrfToken } from "./client";
import { fetchSession, login, logout } from "./auth";
import { mockApi, session, USERS } from "../test/utils";

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

describe("the CSRF header", () => {
  it("is sent on every unsafe method with the token from the session", async () => {
    const { calls } = mockApi({
      "GET /api/auth/me": session(USERS.finance),
      "POST /api/budgets": { id: 1 },
      "PATCH /api/budgets/1": { id: 1 },
      "PUT /api/budgets/1": { id: 1 },
      "DELETE /api/budgets/1": { status: 204 },
      "GET /api/budgets": [],
    });
    await fetchSession();
    await http.post("/api/budgets", { name: "x" });
    await http.patch("/api/budgets/1", { name: "y" });
    await http.put("/api/budgets/1", { name: "z" });
    await http.delete("/api/budgets/1");
    await http.get("/api/budgets");
    const byMethod = Object.fromEntries(calls.map((c) => [c.method, c.headers["X-CSRF-Token"]]));
    expect(byMethod).toEqual({ GET: undefined, POST: "csrf-123", PATCH: "csrf-123", PUT: "csrf-123", DELETE: "csrf-123" });
  });

  it("comes from the login answer and is dropped at logout", async () => {
    const { calls } = mockApi({
      "POST /api/auth/login": session(USERS.admin),
      "POST /api/auth/logout": { status: 204 },
      "POST /api/alerts/1/acknowledge": {},
    });
    const user = await login("ada@example.com", "pw");
    expect(user.role).toBe("admin");
    await http.post("/api/alerts/1/acknowledge");
    await logout();
    await http.post("/api/alerts/1/acknowledge");
    const acks = calls.filter((c) => c.path === "/api/alerts/1/acknowledge");
    expect(acks[0].headers["X-CSRF-Token"]).toBe("csrf-123");
    expect(acks[1].headers["X-CSRF-Token"]).toBeUndefined();
  });

  it("sends same-origin credentials and JSON", async () => {
    const { fetchMock } = mockApi({ "POST /api/budgets": { id: 1 } });
    await http.post("/api/budgets", { a: 1 });
    const init = fetchMock.mock.calls[0][1] as RequestInit;
    expect(init.credentials).toBe("same-origin");
    expect((init.headers as Record<string, string>)["Content-Type"]).toBe("application/json");
    expect(init.body).toBe('{"a":1}');
  });
});

describe("401 handling", () => {
  it("tells the app that the session is gone", async () => {
    mockApi({ "GET /api/overview": { status: 401, body: { code: 401, status: "Unauthorized", message: "Sign in" } } });
    const listener = vi.fn();
    const stop = onUnauthorized(listener);
    await expect(http.get("/api/overview")).rejects.toMatchObject({ status: 401, isUnauthorized: true });
    expect(listener).toHaveBeenCalledTimes(1);
    stop();
  });

  it("is an ordinary answer for 'who am I?': no session, no broadcast", async () => {
    mockApi({ "GET /api/auth/me": { status: 401, body: { code: 401, message: "no session" } } });
    const listener = vi.fn();
    const stop = onUnauthorized(listener);
    await expect(fetchSession()).resolves.toBeNull();
    expect(listener).not.toHaveBeenCalled();
    stop();
  });
});

describe("errors", () => {
  it("carries the API's message and per-field messages", async () => {
    mockApi({
      "POST /api/budgets": {
        status: 422,
        body: {
          code: 422,
          status: "Unprocessable Entity",
          message: "Invalid budget",
          errors: { amount: ["Must be positive."], rules: { threshold: { levels: ["Too many."] } } },
        },
      },
    });
    const err = (await http.post("/api/budgets", {}).catch((e) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.isValidation).toBe(true);
    expect(err.message).toBe("Invalid budget");
    expect(err.fieldErrors).toEqual({ amount: ["Must be positive."], "rules.threshold.levels": ["Too many."] });
  });

  it("marks 403 as forbidden", async () => {
    mockApi({ "GET /api/users": { status: 403, body: { code: 403, message: "Admins only" } } });
    await expect(http.get("/api/users")).rejects.toMatchObject({ isForbidden: true, message: "Admins only" });
  });

  it("turns a network failure into a readable error", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    await expect(http.get("/api/overview")).rejects.toMatchObject({ status: 0, message: expect.stringMatching(/reach/) });
  });
});

describe("buildUrl", () => {
  it("keeps API paths relative and drops empty parameters", () => {
    expect(buildUrl("/api/roi", { start: "2024-01-01", platform: null, account_id: "", group_by: "platform" })).toBe(
      "/api/roi?start=2024-01-01&group_by=platform",
    );
    expect(() => buildUrl("https://evil.example/api/x")).toThrow();
  });
});

describe("flattenFieldErrors", () => {
  it("flattens nested and list errors to dotted names", () => {
    expect(flattenFieldErrors({ recipients: { "1": ["Not a valid email."] }, name: "Required" })).toEqual({
      "recipients.1": ["Not a valid email."],
      name: ["Required"],
    });
  });
});
