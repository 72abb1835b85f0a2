import { fireEvent, screen, waitFor } from "@testing-library/react";
import dayjs from "dayjs";
import { BudgetForm } from "./BudgetForm";
import { budgetFieldPath, newBudgetValues, periodEnd, periodLabel, periodStartOf, scopeLabel, targetRuleSwitch, toBudgetInput, toFormValues } from "./model";
import { paceStatus } from "./BudgetCard";
import type { AlertRuleInfo, Budget } from "../../api/types";
// the API's answer, checked against the backend's rules by tests/backend/budgets/test_rule_catalog.py
import alertRules from "../../test/alertRules.json";
import { mockApi, renderApp, session, user, USERS } from "../../test/utils";
import { registerPlatforms } from "../../lib/platforms";

afterEach(() => vi.unstubAllGlobals());

const RULES = alertRules as unknown as AlertRuleInfo[];

const BUDGET: Budget = {
  id: 3,
  name: "Meta Q2",
  scope: { type: "platform", platform: "meta" },
  period: "quarter",
  period_start: "2024-04-01",
  amount: "90000.00",
  currency: "EUR",
  recipients: ["cfo@example.com"],
  target_roas: 1.2,
  rules: {
    threshold: { enabled: true, levels: [80, 100] },
    projected_overspend: { enabled: true, tolerance_pct: 10 },
    predicted_roas: { enabled: true, min_customers: 100 },
    anomaly: { enabled: false },
    stale_data: { enabled: true, hours: 12 },
    credentials: { enabled: true, days_before: 7 },
  },
};

describe("budget model", () => {
  it("round-trips a budget through the form values", () => {
    const values = toFormValues(BUDGET);
    expect(values.target_roas_pct).toBe(120);
    expect(values.amount).toBe(90000);
    expect(toBudgetInput(values)).toEqual({
      name: "Meta Q2",
      scope: { type: "platform", platform: "meta" },
      period: "quarter",
      period_start: "2024-04-01",
      amount: 90000,
      currency: "EUR",
      recipients: ["cfo@example.com"],
      target_roas: 1.2,
      rules: BUDGET.rules,
    });
  });

  it("sends only the scope keys its type needs, and sorted unique levels", () => {
    const values = {
      ...newBudgetValues("USD", RULES, dayjs("2024-05-17")),
      name: " Brand ",
      amount: 5000,
      scope: { type: "account" as const, platform: "google_ads", account_id: 12, campaign_id: "99" },
    };
    values.rules.threshold.levels = [100, 50, 80, 50];
    const input = toBudgetInput(values);
    expect(input.scope).toEqual({ type: "account", platform: "google_ads", account_id: 12 });
    expect(input.period_start).toBe("2024-05-01");
    expect(input.name).toBe("Brand");
    expect(input.target_roas).toBeNull();
    expect(input.rules.threshold.levels).toEqual([50, 80, 100]);
  });

  it("knows periods", () => {
    expect(periodStartOf(dayjs("2024-08-20"), "quarter").format("YYYY-MM-DD")).toBe("2024-07-01");
    expect(periodEnd("2024-02-01", "month")).toBe("2024-02-29");
    expect(periodEnd("2024-10-01", "quarter")).toBe("2024-12-31");
    expect(periodLabel("2024-04-01", "quarter")).toBe("Q2 2024");
    expect(periodLabel("2024-04-01", "month", "en-US")).toBe("April 2024");
  });

  it("describes scopes and pace", () => {
    registerPlatforms([{ platform: "apple_search_ads", label: "Apple Search Ads (declared)", schema: { properties: {} } }]);
    expect(scopeLabel({ type: "all" })).toBe("All channels");
    expect(scopeLabel({ type: "platform", platform: "apple_search_ads" })).toBe("Apple Search Ads (declared)");
    expect(scopeLabel({ type: "account", account_id: 4 }, { accounts: new Map([["4", "Acme EU"]]) })).toBe("Acme EU");
    expect(paceStatus(125)).toBe("over");
    expect(paceStatus(100)).toBe("on_track");
    expect(paceStatus(70)).toBe("under");
    expect(paceStatus(null)).toBe("unknown");
  });

  it("switches the target's rule on when a target is set and off when it is cleared", () => {
    expect(targetRuleSwitch(null, 120)).toBe(true);
    expect(targetRuleSwitch(undefined, 80)).toBe(true);
    expect(targetRuleSwitch(120, null)).toBe(false);
    expect(targetRuleSwitch(120, 150)).toBeNull();
    expect(targetRuleSwitch(null, null)).toBeNull();
  });

  it("maps API field names to the form's", () => {
    expect(budgetFieldPath("target_roas")).toEqual(["target_roas_pct"]);
    expect(budgetFieldPath("recipients.1")).toEqual(["recipients"]);
    expect(budgetFieldPath("rules.threshold.levels")).toEqual(["rules", "threshold", "levels"]);
  });
});

describe("BudgetForm", () => {
  function setup(post: Parameters<typeof mockApi>[0][string], rules: AlertRuleInfo[] = RULES) {
    const api = mockApi({
      "GET /api/auth/me": session(USERS.finance),
      "POST /api/budgets": post,
      "GET /api/budgets": [],
      "GET /api/alerts/rules": rules,
    });
    renderApp(<BudgetForm open budget={null} reportingCurrency="USD" onClose={() => {}} />);
    return api;
  }

  async function fill() {
    fireEvent.change(await screen.findByLabelText(/^Name/), { target: { value: "Always-on" } });
    fireEvent.change(screen.getByLabelText(/^Amount/), { target: { value: "25000" } });
    const recipients = screen.getByLabelText(/^Alert recipients/);
    await user.type(recipients, "cfo@example.com{enter}");
  }

  it("creates a budget with its rules", async () => {
    const { calls } = setup((call: { body: object }) => ({ id: 9, ...call.body }));
    await fill();
    await user.click(screen.getByRole("button", { name: "Create budget" }));
    await waitFor(() => expect(calls.some((c) => c.method === "POST")).toBe(true));
    const post = calls.find((c) => c.method === "POST")!;
    expect(post.headers["X-CSRF-Token"]).toBe("csrf-123");
    expect(post.body).toMatchObject({
      name: "Always-on",
      scope: { type: "all" },
      period: "month",
      amount: 25000,
      currency: "USD",
      recipients: ["cfo@example.com"],
      rules: { threshold: { enabled: true, levels: [50, 80, 100] }, stale_data: { enabled: true, hours: 24 } },
    });
  });

  it("turns the predicted-ROAS rule on when a target ROAS is entered", async () => {
    const { calls } = setup((call: { body: object }) => ({ id: 9, ...call.body }));
    await fill();
    const rule = screen.getByRole("switch", { name: "Predicted ROAS under target" });
    expect(rule).not.toBeChecked();
    fireEvent.change(screen.getByLabelText(/^Target ROAS/), { target: { value: "100" } });
    await waitFor(() => expect(rule).toBeChecked());
    await user.click(screen.getByRole("button", { name: "Create budget" }));
    await waitFor(() => expect(calls.some((c) => c.method === "POST")).toBe(true));
    expect(calls.find((c) => c.method === "POST")!.body).toMatchObject({
      target_roas: 1,
      rules: { predicted_roas: { enabled: true, min_customers: 50 } },
    });
  });

  it("builds a row for every rule the API lists, with its parameters and defaults", async () => {
    const added: AlertRuleInfo = {
      name: "suspect_traffic",
      label: "Suspect traffic share",
      description: "A large share of the installs looks fraudulent.",
      enabled_by_default: true,
      defaults: { enabled: true, max_share_pct: 20 },
      parameters: { type: "object", properties: { max_share_pct: { type: "number", title: "Above", "x-unit": "% of installs", minimum: 0, maximum: 100 } } },
      needs_target_roas: false,
    };
    const { calls } = setup((call: { body: object }) => ({ id: 9, ...call.body }), [...RULES, added]);
    await fill();
    expect(screen.getByRole("switch", { name: "Suspect traffic share" })).toBeChecked();
    expect(screen.getByText("A large share of the installs looks fraudulent.")).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText(/^Above/), { target: { value: "35" } });
    await user.click(screen.getByRole("button", { name: "Create budget" }));
    await waitFor(() => expect(calls.some((c) => c.method === "POST")).toBe(true));
    expect(calls.find((c) => c.method === "POST")!.body).toMatchObject({
      rules: { suspect_traffic: { enabled: true, max_share_pct: 35 }, anomaly: { enabled: true } },
    });
  });

  it("shows the API's validation messages on the fields", async () => {
    setup({
      status: 422,
      body: {
        code: 422,
        status: "Unprocessable Entity",
        message: "Invalid budget",
        errors: { amount: ["Exceeds the approved annual plan."], "rules.threshold.levels": ["At most 5 levels."] },
      },
    });
    await fill();
    await user.click(screen.getByRole("button", { name: "Create budget" }));
    expect(await screen.findByText("Exceeds the approved annual plan.")).toBeInTheDocument();
    expect(screen.getByText("At most 5 levels.")).toBeInTheDocument();
  });

  it("refuses a recipient that is not an email address", async () => {
    const { calls } = setup({ id: 1 });
    fireEvent.change(await screen.findByLabelText(/^Name/), { target: { value: "X" } });
    fireEvent.change(screen.getByLabelText(/^Amount/), { target: { value: "10" } });
    await user.type(screen.getByLabelText(/^Alert recipients/), "finance-team{enter}");
    await user.click(screen.getByRole("button", { name: "Create budget" }));
    expect(await screen.findByText("Not an email address: finance-team")).toBeInTheDocument();
    expect(calls.some((c) => c.method === "POST")).toBe(false);
  });
});

describe("budget card", () => {
  const PACED: Budget = {
    ...BUDGET,
    currency: "USD",
    pacing: {
      as_of: "2024-04-20",
      data_through: "2024-04-18",
      spend_to_date: "21000.00",
      expected_to_date: "20000.00",
      elapsed_days: 20,
      period_days: 91,
      pace_pct: 105,
      required_daily: "970.00",
      projected: "95000.00",
      projected_low: "90000.00",
      projected_high: "99000.00",
      method: "seasonal",
      mape: null,
      series: [],
    },
  };

  it("shows spend to date against expected to date, and through which day the data is in", async () => {
    const { BudgetCard } = await import("./BudgetCard");
    mockApi({ "GET /api/auth/me": session(USERS.finance) });
    const f = {
      locale: "en-US",
      moneyWhole: (v: number) => `$${Number(v).toLocaleString("en-US")}`,
      percent: (v: number) => `${v}%`,
      date: (v: string) => `date:${v}`,
      shortDate: (v: string) => `short:${v}`,
      roas: (v: number) => `${v * 100}%`,
      ratioPercent: (v: number) => `${v * 100}%`,
    } as unknown as import("../../state/useFormat").Formatters;
    renderApp(
      <BudgetCard budget={PACED} f={f} canEdit={false} names={{}} onEdit={() => {}} onDelete={() => {}} onShowChart={() => {}} />,
    );
    const toDate = screen.getByTestId("budget-to-date");
    expect(toDate.textContent).toContain("Spent to date");
    expect(toDate.textContent).toContain("$21,000");
    expect(toDate.textContent).toContain("Expected by short:2024-04-20");
    expect(toDate.textContent).toContain("$20,000");
    expect(toDate.textContent).toContain("Data through date:2024-04-18");
    await user.hover(screen.getByText(/Data through/));
    expect(await screen.findByText(/Accounts report late/)).toBeTruthy();
    await user.hover(screen.getByText(/Expected by/));
    expect(await screen.findByText(/budget × days elapsed ÷ days in the period \(\$90,000 × 20 ÷ 91\)/)).toBeTruthy();
  });

  it("explains every number of the card", async () => {
    const { pacingHelp } = await import("./BudgetCard");
    const f = { moneyWhole: (v: number) => String(v), date: (v: string) => v } as unknown as import("../../state/useFormat").Formatters;
    const help = pacingHelp({ ...BUDGET, pacing: { ...({} as Budget["pacing"] & object), as_of: "2024-04-20" } as Budget["pacing"] }, f);
    for (const text of Object.values(help)) expect(text.length).toBeGreaterThan(30);
    expect(help.spent).toContain("2024-04-20");
  });
});
