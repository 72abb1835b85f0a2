import dayjs from "dayjs";
import { cohortDays, defaultRange, parseRange, previousRange, rangeDays } from "./dates";

describe("date ranges", () => {
  it("defaults to the last 30 complete days, ending yesterday", () => {
    const range = defaultRange(dayjs("2024-03-15T10:00:00"));
    expect(range).toEqual({ start: "2024-02-14", end: "2024-03-14" });
    expect(rangeDays(range)).toBe(30);
  });

  it("compares with the range of equal length just before", () => {
    expect(previousRange({ start: "2024-03-01", end: "2024-03-31" })).toEqual({
      start: "2024-01-30",
      end: "2024-02-29",
    });
  });

  it("rejects malformed or reversed ranges from the URL", () => {
    expect(parseRange("2024-03-01", "2024-03-31")).toEqual({ start: "2024-03-01", end: "2024-03-31" });
    expect(parseRange("2024-03-31", "2024-03-01")).toBeNull();
    expect(parseRange("yesterday", "2024-03-01")).toBeNull();
    expect(parseRange(null, null)).toBeNull();
  });
});

describe("cohortDays", () => {
  const range = { start: "2024-01-03", end: "2024-02-10" };
  it("gives a week's seven days, clipped to the range", () => {
    expect(cohortDays("2024-01-01", "week", range)).toEqual({ start: "2024-01-03", end: "2024-01-07" });
    expect(cohortDays("2024-01-08", "week", range)).toEqual({ start: "2024-01-08", end: "2024-01-14" });
  });
  it("gives a month to its last day and a day itself", () => {
    expect(cohortDays("2024-02-01", "month", range)).toEqual({ start: "2024-02-01", end: "2024-02-10" });
    expect(cohortDays("2024-01-20", "day", range)).toEqual({ start: "2024-01-20", end: "2024-01-20" });
  });
});
