import { fetchAudit, fetchPlatforms, updateAdAccount } from "./admin";
import { mockApi } from "../test/utils";

afterEach(() => vi.unstubAllGlobals());

describe("fetchPlatforms", () => {
  it("reads the API's catalog: schema and secret fields together", async () => {
    mockApi({
      "GET /api/platforms": [
        {
          platform: "google_ads",
          available: true,
          configuration_schema: { properties: { refresh_token: { type: "string" }, client_id: { type: "string" } }, required: ["client_id"] },
          secret_fields: ["refresh_token"],
          message: null,
        },
        { platform: "meta", available: false, configuration_schema: null, secret_fields: [], message: "facebook-business is not installed" },
      ],
    });
    const [google, meta] = await fetchPlatforms();
    expect(google.schema.secret).toEqual(["refresh_token"]);
    expect(google.schema.required).toEqual(["client_id"]);
    expect(meta).toMatchObject({ available: false, message: "facebook-business is not installed", schema: { properties: {} } });
  });
});

describe("fetchAudit", () => {
  it("sends the filters as the API names them and reads the total from X-Pagination", async () => {
    const { calls, fetchMock } = mockApi({ "GET /api/audit": [{ id: 1 }] });
    fetchMock.mockImplementationOnce(async (input: RequestInfo | URL) => {
      calls.push({ method: "GET", url: String(input), path: "/api/audit", search: new URL(String(input), "http://x").searchParams, headers: {}, body: undefined });
      return new Response("[]", { status: 200, headers: { "Content-Type": "application/json", "X-Pagination": '{"total": 1234, "page": 1}' } });
    });
    const page = await fetchAudit({ actor: "ada@example.com", start: "2024-03-01", end: "2024-03-31", limit: 500 });
    expect(page.total).toBe(1234);
    const q = calls[0].search;
    expect(q.get("actor")).toBe("ada@example.com");
    expect(q.get("page_size")).toBe("500");
    expect(new Date(q.get("since")!).getTime()).toBe(new Date(2024, 2, 1).getTime());
    expect(new Date(q.get("until")!).getTime()).toBe(new Date(2024, 3, 1).getTime());
  });
});

describe("updateAdAccount", () => {
  it("sends only what the API lets change", async () => {
    const { calls } = mockApi({ "PATCH /api/ad-accounts/3": { id: 3 } });
    await updateAdAccount(3, { name: "New name", status: "disabled" });
    expect(calls[0].body).toEqual({ name: "New name", status: "disabled" });
  });
});
