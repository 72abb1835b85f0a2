import { channelSeries, partialDays } from "./series";
import { orderBreakdown } from "../channels/Breakdowns";
import type { RoiRow } from "../../api/types";

const POINTS = [
  { date: "2024-03-02", platform: "meta", spend: "100.00", revenue: "150.00", revenue_at_age: "150.00" },
  { date: "2024-03-01", platform: "meta", spend: 50, revenue: 0, revenue_at_age: 0 },
  { date: "2024-03-01", platform: "google_ads", spend: 20, revenue: 80, revenue_at_age: 60 },
  { date: "2024-03-03", platform: "meta", spend: 100, revenue: 10, revenue_at_age: null },
];

describe("channelSeries", () => {
  it("aligns each platform on the sorted dates, leaving gaps where there is no row", () => {
    const s = channelSeries(POINTS, "spend");
    expect(s.dates).toEqual(["2024-03-01", "2024-03-02", "2024-03-03"]);
    expect(s.values).toEqual({ google_ads: [20, null, null], meta: [50, 100, 100] });
  });

  it("computes ROAS per day and platform at the same age, none for days too young", () => {
    const s = channelSeries(POINTS, "roas", "2024-03-02");
    expect(s.values).toEqual({ google_ads: [3, null, null], meta: [0, 1.5, null] });
    expect(s.young).toEqual(["2024-03-03"]);
  });

  it("shows revenue at age, never revenue to date of days too young", () => {
    expect(channelSeries(POINTS, "revenue", "2024-03-02").values.meta).toEqual([0, 150, null]);
    expect(channelSeries(POINTS, "revenue", null).young).toHaveLength(3);
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

describe("partialDays", () => {
  const dates = ["2024-03-01", "2024-03-02", "2024-03-03"];

  it("are the days after the earliest day every account has reported", () => {
    expect(partialDays(dates, ["2024-03-03", "2024-03-02", "2024-03-03"])).toEqual(["2024-03-03"]);
  });

  it("are none when every account has reported the last day, or none has data yet", () => {
    expect(partialDays(dates, ["2024-03-03", "2024-03-03"])).toEqual([]);
    expect(partialDays(dates, [null, undefined])).toEqual([]);
  });

  it("leave out an account stale for longer than a time zone explains", () => {
    expect(partialDays(dates, ["2024-02-10", "2024-03-03", "2024-03-02"])).toEqual(["2024-03-03"]);
  });

  it("leave out accounts with no data at all (a new account does not hide the others' days)", () => {
    expect(partialDays(dates, [null, "2024-03-03"])).toEqual([]);
  });
});
