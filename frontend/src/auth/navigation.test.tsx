import { screen, waitFor, within } from "@testing-library/react";
import { App } from "../App";
import { navItemsFor, permissionFor } from "./nav";
import { can } from "./permissions";
import { mockApi, renderApp, session, user, USERS } from "../test/utils";
import type { User } from "../api/types";

vi.mock("../components/charts/EChart", async (importOriginal) => ({
  ...(await importOriginal<object>()),
  EChart: ({ ariaLabel }: { ariaLabel: string }) => <div role="img" aria-label={ariaLabel} />,
}));

afterEach(() => vi.unstubAllGlobals());

const OVERVIEW = {
  currency: "EUR",
  current: { spend: 1000, revenue: 1500, roas: 1.5, predicted_roas: 2.1, installs: 400, cpi: 2.5 },
  previous: { spend: 800, revenue: 1500, roas: 1.875, predicted_roas: null, installs: 500, cpi: 1.6 },
  series: [{ date: "2024-03-01", platform: "meta", spend: 100, revenue: 150 }],
  open_alerts: 0,
  freshness: [],
};

function api(user: User | null, extra: Record<string, unknown> = {}) {
  return mockApi({
    "GET /api/auth/me": user ? session(user) : { status: 401, body: { code: 401, message: "Sign in" } },
    "GET /api/overview": OVERVIEW,
    "GET /api/alerts": [],
    "GET /api/budgets": [],
    "GET /api/ad-accounts": [],
    ...extra,
  });
}

function menuLabels() {
  const nav = screen.getByRole("navigation", { name: "Main" });
  return within(nav)
    .getAllByRole("menuitem")
    .map((el) => el.textContent?.trim());
}

describe("navItemsFor", () => {
  it("gives each role its pages", () => {
    const paths = (role: User["role"]) => navItemsFor(role).map((i) => i.path);
    expect(paths("marketer")).toEqual(["/overview", "/channels", "/cohorts", "/traffic", "/budgets", "/recommendations", "/alerts"]);
    expect(paths("finance")).toEqual(["/overview", "/channels", "/cohorts", "/traffic", "/budgets", "/recommendations", "/alerts"]);
    expect(paths("admin")).toContain("/admin/accounts");
    expect(paths("admin")).toContain("/admin/users");
    expect(paths("admin")).toContain("/admin/data");
    expect(paths("admin")).toContain("/admin/models");
    expect(paths("admin")).toContain("/admin/audit");
    expect(navItemsFor(null)).toEqual([]);
  });

  it("lets finance and admin edit budgets, never a marketer", () => {
    expect(can("finance", "editBudgets")).toBe(true);
    expect(can("admin", "editBudgets")).toBe(true);
    expect(can("marketer", "editBudgets")).toBe(false);
    expect(can("marketer", "administer")).toBe(false);
    expect(permissionFor("/admin/whatever")).toBe("administer");
  });
});

describe("role-aware navigation", () => {
  it("shows a marketer no admin pages", async () => {
    api(USERS.marketer);
    renderApp(<App />, { route: "/overview" });
    await screen.findByRole("navigation", { name: "Main" });
    expect(menuLabels()).toEqual(["Overview", "Channels & campaigns", "Cohorts & LTV", "Traffic quality", "Budgets & pacing", "Reallocation", "Alerts"]);
    expect(screen.queryByText("Administration")).not.toBeInTheDocument();
  });

  it("shows an admin the administration pages", async () => {
    api(USERS.admin);
    renderApp(<App />, { route: "/overview" });
    await screen.findByRole("navigation", { name: "Main" });
    expect(menuLabels()).toEqual(expect.arrayContaining(["Ad accounts", "Users & roles", "Audit log"]));
  });

  it("answers an admin page typed by a marketer with 'not allowed', without calling the API", async () => {
    const { calls } = api(USERS.marketer);
    renderApp(<App />, { route: "/admin/users" });
    expect(await screen.findByTestId("forbidden-state")).toBeInTheDocument();
    expect(calls.some((c) => c.path === "/api/users")).toBe(false);
  });

  it("hides budget editing from a marketer and shows it to finance", async () => {
    api(USERS.marketer);
    const first = renderApp(<App />, { route: "/budgets" });
    expect(await screen.findByText("No budgets have been set yet.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /New budget/ })).not.toBeInTheDocument();
    first.unmount();
    vi.unstubAllGlobals();

    api(USERS.finance);
    renderApp(<App />, { route: "/budgets" });
    expect((await screen.findAllByRole("button", { name: /New budget/ })).length).toBeGreaterThan(0);
  });

  it("shows the reporting currency from the API answer and the user in the header", async () => {
    api(USERS.finance);
    renderApp(<App />, { route: "/overview" });
    expect(await screen.findByTestId("currency")).toHaveTextContent("EUR");
    expect(screen.getByRole("button", { name: "User menu" })).toHaveTextContent("Fin Ance");
    expect(await screen.findByText("€1,000")).toBeInTheDocument();
    expect(screen.getByText("$2.50".replace("$", "€"))).toBeInTheDocument(); // CPI keeps its cents
  });
});

describe("sessions", () => {
  it("sends a visitor without a session to the login page, then back", async () => {
    let signedIn = false;
    mockApi({
      "GET /api/auth/me": () => (signedIn ? session(USERS.marketer) : { status: 401, body: { code: 401 } }),
      "POST /api/auth/login": (call) => {
        const { password } = call.body as { password: string };
        if (password !== "right-password") return { status: 401, body: { code: 401, message: "Wrong email or password." } };
        signedIn = true;
        return session(USERS.marketer);
      },
      "GET /api/overview": OVERVIEW,
      "GET /api/alerts": [],
      "GET /api/roi": { currency: "EUR", group_by: "platform", rows: [], totals: {} },
    });
    renderApp(<App />, { route: "/channels?start=2024-03-01&end=2024-03-31" });
    const email = await screen.findByLabelText("Email");
    await user.type(email, "mark@example.com");
    await user.type(screen.getByLabelText("Password"), "wrong");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByTestId("login-error")).toHaveTextContent("Wrong email or password.");

    await user.clear(screen.getByLabelText("Password"));
    await user.type(screen.getByLabelText("Password"), "right-password");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("No spend for this selection and date range.")).toBeInTheDocument();
  });

  it("returns to the login page when the session expires (401 on any call)", async () => {
    mockApi({
      "GET /api/auth/me": session(USERS.marketer),
      "GET /api/overview": { status: 401, body: { code: 401, message: "Session expired" } },
      "GET /api/alerts": [],
    });
    renderApp(<App />, { route: "/overview" });
    expect(await screen.findByRole("button", { name: "Sign in" })).toBeInTheDocument();
  });

  it("shows the API's field messages on the login form", async () => {
    mockApi({
      "GET /api/auth/me": { status: 401, body: { code: 401 } },
      "POST /api/auth/login": {
        status: 422,
        body: { code: 422, status: "Unprocessable Entity", message: "Invalid", errors: { email: ["Unknown domain."] } },
      },
    });
    renderApp(<App />, { route: "/login" });
    await user.type(await screen.findByLabelText("Email"), "x@example.com");
    await user.type(screen.getByLabelText("Password"), "pw");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await waitFor(() => expect(screen.getByText("Unknown domain.")).toBeInTheDocument());
  });
});
