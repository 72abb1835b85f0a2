import { screen, waitFor, within } from "@testing-library/react";
import OverviewPage from "../OverviewPage";
import { earlyFigures, mockApi, renderApp, session, USERS } from "../../test/utils";

vi.mock("../../components/charts/EChart", async (importOriginal) => ({
  ...(await importOriginal<object>()),
  EChart: ({ ariaLabel }: { ariaLabel: string }) => <div role="img" aria-label={ariaLabel} />,
}));

afterEach(() => vi.unstubAllGlobals());

const EARLY = earlyFigures({ age_bucket: "D1", horizon_days: 30, expected_payers_err_pct: 6, predicted_roas_err_pct: 31.6, weeks: 4 });
const ACCURACY = { horizon_days: 365, age_bucket: "D3", error_p50: 0.6, error_p80: 0.9, cohorts: 40, customers: 4000 };
const COMPARED = {
  horizon_days: 30,
  cohort_customers: 50,
  ltv_age_bucket: "D3",
  ltv_error_pct: 40,
  early_age_bucket: "D1",
  early_error_pct: 31.6,
};
const LTV = { roas: 2.31, horizon_days: 365, source: "ltv", age_bucket: "D3", error_pct: 60, interval: { low: 0.61, high: 3.71 }, compared: null };

function overview(current: object, previous: object = {}) {
  const kpis = { spend: 1000, revenue: 150, roas: 0.15, predicted_roas: 2.31, installs: 400, cpi: 2.5, customers: 350 };
  return {
    currency: "USD",
    start: "2024-01-01",
    end: "2024-01-10",
    current: { ...kpis, accuracy: ACCURACY, predicted_roas_interval: LTV.interval, age_days: 2, early: null, prediction: LTV, ...current },
    previous: { ...kpis, predicted_roas: 1.9, accuracy: null, prediction: { ...LTV, roas: 1.9 }, ...previous },
    series: [{ date: "2024-01-01", platform: "meta", spend: 100, revenue: 15 }],
    open_alerts: 0,
    freshness: [],
  };
}

function renderOverview(answer: object) {
  mockApi({ "GET /api/auth/me": session(USERS.marketer), "GET /api/overview": answer, "GET /api/alerts": [] });
  renderApp(<OverviewPage />);
}

/** The card once the answer is shown (while pending, the cards are skeletons). */
async function card(title: string): Promise<HTMLElement> {
  return waitFor(() => {
    const found = screen.getByTestId(`kpi-${title}`);
    expect(found.querySelector(".ant-skeleton")).toBeNull();
    return found;
  });
}

describe("Overview predicted ROAS", () => {
  it("shows the one predicted ROAS of /api/overview, early signals' where chosen, with horizon, source and error", async () => {
    const early = { roas: 0.42, horizon_days: 30, source: "early", age_bucket: "D1", error_pct: 31.6, interval: null, compared: COMPARED };
    renderOverview(overview({ early: EARLY, prediction: early }));
    const predicted = await card("Predicted ROAS");
    expect(within(predicted).getByText("42.0%")).toBeTruthy();
    expect(predicted.textContent).not.toContain("231");
    const notes = Array.from(predicted.querySelectorAll(".trust-note")).map((n) => n.textContent);
    expect(notes).toEqual(["30d · early signals · typical error ±32% (median, backtested at D1)"]);
    // a 30-day figure is not compared with the previous range's 365-day one
    expect(predicted.textContent).toContain("not compared: the previous range's is 365-day");
    expect(screen.queryByTestId("kpi-Early ROAS")).toBeNull();
  });

  it("labels the LTV model's figure with its horizon, source, error and likely range, and compares it", async () => {
    renderOverview(overview({}));
    const predicted = await card("Predicted ROAS");
    expect(within(predicted).getByText("231.0%")).toBeTruthy();
    const notes = Array.from(predicted.querySelectorAll(".trust-note")).map((n) => n.textContent);
    expect(notes).toEqual(["365d · LTV model · typical error ±60% (median, backtested at D3)", "80% interval 61.0%–371.0%"]);
    expect(predicted.textContent).toContain("vs prior");
    expect(predicted.textContent).not.toContain("not compared");
  });

  it("keeps the expected payers of the range's young customers, not their early ROAS", async () => {
    renderOverview(overview({ early: EARLY }));
    const payers = await card("Expected payers");
    expect(within(payers).getByText("17.5")).toBeTruthy();
    expect(payers.querySelector(".trust-note")?.textContent).toBe("of 350 · D1 ±6% backtested");
    expect(screen.queryByTestId("kpi-Early ROAS")).toBeNull();
    expect(document.body.textContent).not.toContain("42.0%");
  });
});
