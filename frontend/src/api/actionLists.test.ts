import { ACTION_LISTS, actionListUrl, downloadActionList } from "./actionLists";

describe("action list links", () => {
  it("carry the scope and leave out what is not chosen", () => {
    const url = actionListUrl("suspected", { start: "2024-01-01", end: "2024-01-07", platform: "meta", account_id: null, campaign_id: 12 });
    expect(url).toBe("/api/action-lists/suspected?start=2024-01-01&end=2024-01-07&platform=meta&campaign_id=12");
  });
  it("offer the three lists the API serves", () => {
    expect(ACTION_LISTS.map((l) => l.kind)).toEqual(["likely_to_pay", "likely_to_churn", "suspected"]);
  });
});

describe("downloading an action list", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("rejects with the API's message when the list cannot be made, saving nothing", async () => {
    const body = { code: 422, status: "Unprocessable Entity", message: "No first-purchase model is active" };
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify(body), { status: 422, headers: { "Content-Type": "application/json" } })));
    const created = vi.spyOn(URL, "createObjectURL");
    await expect(downloadActionList("likely_to_pay", { start: "2024-01-01", end: "2024-01-07" })).rejects.toThrow(
      "No first-purchase model is active",
    );
    expect(created).not.toHaveBeenCalled();
    created.mockRestore();
  });

  it("saves the list under the name the API gives", async () => {
    const headers = { "Content-Type": "text/csv", "Content-Disposition": 'attachment; filename="likely_to_pay-2024-01-01.csv"' };
    vi.stubGlobal("fetch", vi.fn(async () => new Response("customer_id\nc1\n", { status: 200, headers })));
    const created = vi.spyOn(URL, "createObjectURL").mockReturnValue("blob:list");
    const revoked = vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => undefined);
    let saved = "";
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      saved = this.download;
    });
    await downloadActionList("likely_to_pay", { start: "2024-01-01", end: "2024-01-07" });
    expect(created).toHaveBeenCalledTimes(1);
    expect(saved).toBe("likely_to_pay-2024-01-01.csv");
    click.mockRestore();
    created.mockRestore();
    revoked.mockRestore();
  });
});
