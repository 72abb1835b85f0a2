import { channelSeries } from "./series";
import { orderBreakdown } from "../channels/Breakdowns";
import type { RoiRow } from "../../api/types";

const POINTS = [
  { date: "2024-03-02", platform: "meta", spend: "100.00", revenue: "150.00" },
  { date: "2024-03-01", platform: "meta", spend: 50, revenue: 0 },
  { date: "2024-03-01", platform: "google_ads", spend: 20, revenue: 60 },
];

describe("channelSeries", () => {
  it("aligns each platform on the sorted dates, leaving gaps where there is no row", () => {
    const s = channelSeries(POINTS, "spend");
    expect(s.dates).toEqual(["2024-03-01", "2024-03-02"]);
    expect(s.values).toEqual({ google_ads: [20, null], meta: [50, 100] });
  });

  it("computes ROAS per day and platform", () => {
    expect(channelSeries(POINTS, "roas").values).toEqual({ google_ads: [3, null], meta: [0, 1.5] });
  });
});

describe("orderBreakdown", () => {
  const row = (key: string, spend: number) => ({ key, label: key, spend }) as unknown as RoiRow;

  it("puts weekdays and hours in calendar order, the rest by spend", () => {
    expect(orderBreakdown("weekday", [row("Sun", 1), row("Mon", 2), row("Wed", 3)]).map((r) => r.key)).toEqual(["Mon", "Wed", "Sun"]);
    expect(orderBreakdown("hour", [row("13", 1), row("2", 2)]).map((r) => r.key)).toEqual(["2", "13"]);
    expect(orderBreakdown("country", [row("FR", 1), row("US", 5)]).map((r) => r.key)).toEqual(["US", "FR"]);
  });
});
