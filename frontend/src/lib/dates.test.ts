import dayjs from "dayjs";
import { defaultRange, parseRange, previousRange, rangeDays } from "./dates";

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
