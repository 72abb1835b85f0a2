import { screen } from "@testing-library/react";
import AlertsPage from "../AlertsPage";
import { noOpenAlertsText } from "./noAlerts";
import { mockApi, renderApp, session, USERS } from "../../test/utils";

afterEach(() => vi.unstubAllGlobals());

describe("no open alerts", () => {
  it("says budgets are on track only when there are budgets", () => {
    expect(noOpenAlertsText(0)).toMatch(/no budget is set yet/);
    expect(noOpenAlertsText(0)).not.toMatch(/on track/);
    expect(noOpenAlertsText(1)).toBe("No open alerts. The budget is on track.");
    expect(noOpenAlertsText(3)).toBe("No open alerts. Budgets are on track.");
    expect(noOpenAlertsText(null)).toBe("No open alerts.");
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
