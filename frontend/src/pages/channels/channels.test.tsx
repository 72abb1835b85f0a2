import { screen, within } from "@testing-library/react";
import { Breakdowns } from "./Breakdowns";
import { roiMetricColumns } from "./columns";
import type { RoiReport } from "../../api/types";
import { earlyFigures, mockApi, renderApp, session, USERS } from "../../test/utils";

afterEach(() => vi.unstubAllGlobals());

const EARLY = earlyFigures();

/** A country breakdown: the US reported by the platforms, France only known from customers. */
const BY_COUNTRY = {
  currency: "USD",
  group_by: "country",
  early_range: ["2024-01-08", "2024-01-10"],
  first_purchase_model: { id: 7, horizon_days: 30, scored_as_of: "2024-01-10" },
  rows: [
    { key: "US", label: "US", spend: 280, installs: 0, impressions: 900, clicks: 20, customers: 2 },
    { key: "FR", label: "FR", spend: 0, installs: null, impressions: null, clicks: null, customers: 1 },
  ],
  totals: {
    spend: 280,
    installs: 0,
    impressions: 900,
    clicks: 20,
    customers: 3,
    predicted_roas: 2.31,
    early: EARLY,
    prediction: { roas: 0.42, horizon_days: 30, source: "early", age_bucket: "D1", error_pct: 31.6, interval: null, compared: null },
  },
} as unknown as RoiReport;

function cellOf(row: HTMLElement, column: string): HTMLElement {
  const headers = Array.from(document.querySelectorAll("thead th")).map((th) => th.textContent?.trim());
  const index = headers.findIndex((h) => h === column);
  return row.querySelectorAll("td")[index] as HTMLElement;
}

describe("Channel breakdowns", () => {
  it("says 'not reported' for installs no platform reported, and a real 0 as 0", async () => {
    mockApi({ "GET /api/auth/me": session(USERS.marketer), "GET /api/roi": BY_COUNTRY });
    renderApp(<Breakdowns filters={{ start: "2024-01-01", end: "2024-01-10" }} scopeLabel="all channels" />);
    const france = (await screen.findByText("France")).closest("tr") as HTMLElement;
    expect(cellOf(france, "Installs").textContent).toBe("not reported");
    expect(cellOf(france, "Installs").textContent).not.toContain("0");
    const us = screen.getByText("United States").closest("tr") as HTMLElement;
    expect(cellOf(us, "Installs").textContent).toBe("0");
  });

  it("gives the totals row the one predicted ROAS, labelled, and the expected payers of /api/roi's totals", async () => {
    mockApi({ "GET /api/auth/me": session(USERS.marketer), "GET /api/roi": BY_COUNTRY });
    renderApp(<Breakdowns filters={{ start: "2024-01-01", end: "2024-01-10" }} scopeLabel="all channels" />);
    await screen.findByText("France");
    const totals = document.querySelector(".table-totals") as HTMLElement;
    const predicted = cellOf(totals, "Predicted ROAS");
    expect(within(predicted).getByText("42.0%")).toBeTruthy();
    expect(predicted.querySelector(".trust-note")?.textContent).toBe("30d · early signals · typical error ±32% (median, backtested at D1)");
    expect(predicted.textContent).not.toContain("231");
    expect(cellOf(totals, "Early ROAS")).toBeUndefined();
    expect(within(cellOf(totals, "Expected payers")).getByText(/17\.5|18/)).toBeTruthy();
  });
});

describe("Channel columns", () => {
  it("put Predicted ROAS right after ROAS, among the columns read before any sideways scroll", () => {
    const keys = roiMetricColumns({ currency: "USD" }).map((c) => c.key);
    expect(keys.slice(0, 6)).toEqual(["spend", "installs", "cpi", "revenue", "roas", "predicted_roas"]);
  });
});
