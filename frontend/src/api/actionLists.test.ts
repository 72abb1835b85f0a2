import { ACTION_LISTS, actionListUrl } from "./actionLists";

describe("action list links", () => {
  it("carry the scope and leave out what is not chosen", () => {
    const url = actionListUrl("suspected", { start: "2024-01-01", end: "2024-01-07", platform: "meta", account_id: null, campaign_id: 12 });
    expect(url).toBe("/api/action-lists/suspected?start=2024-01-01&end=2024-01-07&platform=meta&campaign_id=12");
  });
  it("offer the three lists the API serves", () => {
    expect(ACTION_LISTS.map((l) => l.kind)).toEqual(["likely_to_pay", "likely_to_churn", "suspected"]);
  });
});
