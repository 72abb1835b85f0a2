import { screen, within } from "@testing-library/react";
import RecommendationsPage from "../RecommendationsPage";
import type { RecommendationRun } from "../../api/recommendations";
import { mockApi, renderApp, session, USERS } from "../../test/utils";

afterEach(() => vi.unstubAllGlobals());

const totals = { spend: 1000, outcome: 1400, low: 1200, high: 1600, roas: 1.4, roas_low: 1.2, roas_high: 1.6 };

const RUN: RecommendationRun = {
  id: 12,
  status: "ready",
  trigger: "request",
  error: null,
  inputs: { level: "channel", outcome: "installs", horizon_days: 365 },
  model_version_id: null,
  data_start: "2024-01-01",
  data_end: "2024-03-31",
  expected_gain_share: 0.05,
  created_at: "2024-04-01T08:00:00Z",
  finished_at: "2024-04-01T08:01:00Z",
  applied_at: null,
  undone_at: null,
  application: null,
  backtest: null,
  curves: [],
  result: {
    mode: "budget",
    total_budget: 1000,
    target_roas: null,
    currency: "EUR",
    current: totals,
    recommended: totals,
    gain: { outcome: 0, low: 0, high: 0 },
    items: [
      {
        key: "meta",
        label: "Meta Ads",
        channel: "meta",
        channel_label: "Meta Ads",
        pooled: false,
        pooled_reason: "",
        action: "cut",
        current_spend: 600,
        recommended_spend: 450,
        change: -0.25,
        marginal_roas_now: 0.6,
        marginal_roas_after: 0.9,
        outcome_now: 700,
        expected_outcome: 650,
        expected_low: 600,
        expected_high: 700,
        reason: "Meta Ads is saturated: its last €60 a day brought €36.",
      },
    ],
  },
} as unknown as RecommendationRun;

describe("Recommendations page", () => {
  it("shows amounts in the reporting currency with its symbol, the reason and the fit's data range", async () => {
    mockApi({ "GET /api/auth/me": session(USERS.marketer), "GET /api/recommendations/latest": { run: RUN, message: null } });
    renderApp(<RecommendationsPage />, { route: "/recommendations" });
    const row = (await screen.findByText("Meta Ads is saturated: its last €60 a day brought €36.")).closest("tr") as HTMLElement;
    expect(within(row).getByText("€600.00")).toBeTruthy();
    expect(within(row).getByText("€450.00")).toBeTruthy();
    expect(screen.getByText(/fitted on/).textContent).toMatch(/Jan 1, 2024 – Mar 31, 2024/);
  });

  it("shows the API's empty state when no run is ready", async () => {
    mockApi({
      "GET /api/auth/me": session(USERS.finance),
      "GET /api/recommendations/latest": { run: null, message: "The first recommendation is being computed (run 3, queued)." },
    });
    renderApp(<RecommendationsPage />, { route: "/recommendations" });
    expect((await screen.findByTestId("no-recommendation")).textContent).toContain("run 3, queued");
    expect(screen.getByText(/Run now starts one/)).toBeTruthy();
  });
});
