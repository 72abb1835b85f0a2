import { screen } from "@testing-library/react";
import AlertsPage from "../AlertsPage";
import { noOpenAlertsText } from "./noAlerts";
import { mockApi, renderApp, session, USERS } from "../../test/utils";
import { formatZonedDateTime, userTimeZone } from "../../lib/format";

afterEach(() => vi.unstubAllGlobals());

describe("no open alerts", () => {
  it("says budgets are on track only when there are budgets", () => {
    expect(noOpenAlertsText(0)).toMatch(/no budget is set yet/);
    expect(noOpenAlertsText(0)).not.toMatch(/on track/);
    expect(noOpenAlertsText(1)).toBe("No active alerts. The budget is on track.");
    expect(noOpenAlertsText(3)).toBe("No active alerts. Budgets are on track.");
    expect(noOpenAlertsText(null)).toBe("No active alerts.");
  });

  it("tells a finance user without budgets that nothing is watched", async () => {
    mockApi({
      "GET /api/auth/me": session(USERS.finance),
      "GET /api/alerts": [],
      "GET /api/budgets": [],
    });
    renderApp(<AlertsPage />);
    expect(await screen.findByText(/no budget is set yet, so there is nothing to watch/)).toBeInTheDocument();
    expect(screen.queryByText(/on track/)).toBeNull();
  });
});

describe("alert list", () => {
  const ALERT = {
    id: 41,
    rule: "suspect_traffic",
    level: null,
    budget_id: 3,
    budget_name: "Meta December",
    scope: { type: "platform", platform: "meta" },
    period: "2026-12",
    state: "notified",
    severity: "warning",
    message:
      "Suspect traffic in Meta Ads (Meta December): over the last 7 days more than 10% of the customers of 2 campaign(s) look fake — Spring installs: 38% of 32 customers (no activity after the first minute).",
    summary: "Suspect traffic in Meta Ads",
    figures: { days: 7 },
    provisional: false,
    occurrence: 1,
    created_at: "2026-12-07T09:30:00Z",
    notified_at: "2026-12-07T09:31:00Z",
    resolved_at: null,
    acknowledged_at: null,
    snoozed_until: null,
  };

  it("reads each alert in a line, names the tabs and states plainly, and names the time zone", async () => {
    mockApi({
      "GET /api/auth/me": session(USERS.marketer),
      "GET /api/alerts": [ALERT],
      "GET /api/budgets": [],
      "GET /api/alerts/rules": [],
    });
    renderApp(<AlertsPage />);
    const line = await screen.findByText("Suspect traffic in Meta Ads");
    expect(line.textContent).not.toContain("Spring installs");
    for (const tab of ["Active", "Active, mailed", "Resolved", "All"]) expect(screen.getByText(tab)).toBeInTheDocument();
    expect(screen.queryByText("Notified")).toBeNull();
    expect(screen.getByText("mailed")).toBeInTheDocument();
    expect(screen.getByTestId("alerts-zone").textContent).toBe(`Times in your time zone, ${userTimeZone()}`);
    const raised = screen.getByText(formatZonedDateTime(ALERT.created_at));
    expect(raised.textContent).toMatch(/(UTC|GMT[+-]?\d*|[A-Z]{3,4})$/);
  });

  it("names the zone of a time", () => {
    expect(formatZonedDateTime("2026-12-07T09:30:00Z", { locale: "en-US", timeZone: "Europe/Berlin" })).toBe("Dec 7, 2026, 10:30 AM GMT+1");
    expect(formatZonedDateTime("2026-07-07T09:30:00Z", { locale: "en-US", timeZone: "America/New_York" })).toBe("Jul 7, 2026, 5:30 AM EDT");
  });
});
