import { screen, within } from "@testing-library/react";
import TrafficPage from "../TrafficPage";
import type { CampaignQuality, SuspicionRules } from "../../api/traffic";
import { mockApi, renderApp, session, USERS } from "../../test/utils";
import { flaggedSentence, reasonLines } from "./reasons";

afterEach(() => vi.unstubAllGlobals());

const RULES: SuspicionRules = {
  reasons: {
    no_activity: "No activity after the first minute",
    instant_first_event: "Opened the app seconds after installing",
    install_burst: "Installed in a sudden burst of installs",
    refunded_purchase: "Bought, then got a refund",
  },
  suspect_score: 0.6,
  share_pct: 10,
  days: 7,
  min_customers: 5,
  confidence: 0.95,
};

const CAMPAIGNS: CampaignQuality[] = [
  {
    campaign: "meta:1:cmp_bad",
    campaign_external_id: "cmp_bad",
    campaign_name: "Spring installs",
    customers: 32,
    suspects: 12,
    share: 0.375,
    share_low: 0.2293,
    share_high: 0.5475,
    judged: true,
    flagged: true,
    reasons: { no_activity: 12, instant_first_event: 12, install_burst: 9 },
  },
  {
    campaign: "google_ads:2:cmp_ok",
    campaign_external_id: "cmp_ok",
    campaign_name: null,
    customers: 30,
    suspects: 0,
    share: 0,
    share_low: 0,
    share_high: 0.1135,
    judged: true,
    flagged: false,
    reasons: {},
  },
];

/** 2 of 4 look fake: 50%, above the level, on too few installs to judge. */
const SMALL: CampaignQuality = {
  campaign: "meta:1:cmp_small",
  campaign_external_id: "cmp_small",
  campaign_name: "Tiny test",
  customers: 4,
  suspects: 2,
  share: 0.5,
  share_low: 0.15,
  share_high: 0.85,
  judged: false,
  flagged: false,
  reasons: { no_activity: 2 },
};

function stubApi(campaigns = CAMPAIGNS) {
  return mockApi({
    "GET /api/auth/me": session(USERS.marketer),
    "GET /api/traffic-quality/reasons": RULES,
    "GET /api/traffic-quality": campaigns,
  });
}

function rowOf(text: string) {
  return screen.getByText(text).closest("tr") as HTMLElement;
}

describe("Traffic quality page", () => {
  it("marks the flagged campaign with its share, counts and reasons in plain words", async () => {
    stubApi();
    renderApp(<TrafficPage />, { route: "/traffic" });

    expect(await screen.findByText("Spring installs")).toBeInTheDocument();
    const bad = rowOf("Spring installs");
    expect(within(bad).getByTestId("flagged")).toHaveTextContent("Flagged");
    expect(bad).toHaveTextContent("37.5%");
    expect(bad).toHaveTextContent("12");
    expect(bad).toHaveTextContent("32");
    const reasons = within(bad).getByTestId("reasons");
    expect(reasons).toHaveTextContent("No activity after the first minute: 12 customers");
    expect(reasons).toHaveTextContent("Installed in a sudden burst of installs: 9 customers");
    expect(reasons).not.toHaveTextContent("no_activity");
  });

  it("shows each share's interval, and a small campaign as too few installs to judge", async () => {
    stubApi([...CAMPAIGNS, SMALL]);
    renderApp(<TrafficPage />, { route: "/traffic" });

    await screen.findByText("Tiny test");
    expect(rowOf("Spring installs")).toHaveTextContent("95%: 23%–55%");
    const small = rowOf("Tiny test");
    expect(within(small).getByTestId("not-judged")).toHaveTextContent("too few installs to judge");
    expect(within(small).queryByTestId("flagged")).toBeNull();
    expect(small).not.toHaveTextContent("OK");
    expect(small).toHaveTextContent("95%: 15%–85%");
  });

  it("shows a clean campaign as OK without reasons, by its id when it has no name", async () => {
    stubApi();
    renderApp(<TrafficPage />, { route: "/traffic" });

    await screen.findByText("cmp_ok");
    const ok = rowOf("cmp_ok");
    expect(within(ok).queryByTestId("flagged")).toBeNull();
    expect(ok).toHaveTextContent("OK");
    expect(within(ok).queryByTestId("reasons")).toBeNull();
  });

  it("asks for the default window and level and says how many campaigns are flagged", async () => {
    const { calls } = stubApi();
    renderApp(<TrafficPage />, { route: "/traffic" });

    expect(await screen.findByTestId("traffic-summary")).toHaveTextContent(
      "1 of 2 campaigns has more than 10% suspect customers over the last 7 days, even at the low end of its interval.",
    );
    const asked = calls.find((c) => c.path === "/api/traffic-quality");
    expect([asked?.search.get("days"), asked?.search.get("share_pct")]).toEqual(["7", "10"]);
  });

  it("links the suspects CSV of the same window for a dispute", async () => {
    stubApi();
    renderApp(<TrafficPage />, { route: "/traffic" });

    const link = await screen.findByRole("link", { name: /Download suspects/ });
    expect(link).toHaveAttribute("href", "/api/traffic-quality/suspects.csv?days=7&share_pct=10");
  });

  it("explains what makes a customer suspect", async () => {
    stubApi();
    renderApp(<TrafficPage />, { route: "/traffic" });

    expect(await screen.findByText("How a customer comes to look fake")).toBeInTheDocument();
    expect(screen.getByText("Bought, then got a refund")).toBeInTheDocument();
  });

  it("says so when there are no new customers to judge", async () => {
    stubApi([]);
    renderApp(<TrafficPage />, { route: "/traffic" });

    expect(await screen.findByTestId("empty-state")).toHaveTextContent("No new customers in this period");
  });
});

describe("traffic quality words", () => {
  it("orders reasons by how many suspects show them and falls back to readable words", () => {
    const lines = reasonLines({ ...CAMPAIGNS[0], reasons: { a_new_sign: 1, no_activity: 3, install_burst: 0 } }, RULES.reasons);
    expect(lines.map((l) => l.label)).toEqual(["No activity after the first minute", "a new sign"]);
  });

  it("says no campaign is flagged when none is", () => {
    expect(flaggedSentence([CAMPAIGNS[1]], 10, 7)).toBe("No campaign has clearly more than 10% suspect customers over the last 7 days.");
  });

  it("counts the campaigns too small to judge", () => {
    expect(flaggedSentence([CAMPAIGNS[1], SMALL], 10, 7)).toBe(
      "No campaign has clearly more than 10% suspect customers over the last 7 days. 1 campaign had too few installs to judge.",
    );
  });
});
