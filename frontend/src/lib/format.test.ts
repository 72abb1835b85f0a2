import {
  formatDelta,
  formatInteger,
  formatMetric,
  formatMoney,
  formatMultiple,
  formatAge,
  formatPercent,
  formatRatioPercent,
  formatRoas,
  INCOMPLETE,
  MISSING,
} from "./format";

const en = { locale: "en-US" };

describe("formatMoney", () => {
  it("uses the currency's own minor units", () => {
    expect(formatMoney(1234.5, "USD", en)).toBe("$1,234.50");
    expect(formatMoney(1234.5, "JPY", en)).toBe("¥1,235");
    // German puts the symbol after the amount, separated by a no-break space
    expect(formatMoney(1234.5, "EUR", { locale: "de-DE" }).replace(/\s/g, " ")).toBe("1.234,50 €");
    expect(formatMoney(1234.5, "JPY", { locale: "ja-JP" })).toMatch(/^[¥￥]1,235$/);
  });

  it("reads exact decimal strings from the API", () => {
    expect(formatMoney("98765.4321", "USD", en)).toBe("$98,765.43");
  });

  it("shows a missing amount as a dash, never as zero", () => {
    for (const v of [null, undefined, "", "not a number", Number.NaN]) {
      expect(formatMoney(v as never, "USD", en)).toBe(MISSING);
    }
    expect(formatMoney(0, "USD", en)).toBe("$0.00");
  });

  it("shortens large amounts in compact mode", () => {
    expect(formatMoney(1_234_567, "USD", { ...en, compact: true })).toBe("$1.2M");
    expect(formatMoney(999, "USD", { ...en, compact: true })).toBe("$999.00");
  });

  it("still shows an amount in an unknown currency code", () => {
    expect(formatMoney(10, "XXZ1", en)).toBe("10 XXZ1");
  });
});

describe("percentages and ratios", () => {
  it("formats ratios and percent values", () => {
    expect(formatRatioPercent(0.1234, en)).toBe("12.3%");
    expect(formatPercent(95.24, en)).toBe("95.2%");
    expect(formatRoas(1.2345, en)).toBe("123.5%");
    expect(formatMultiple(3.24, en)).toBe("3.2×");
    expect(formatInteger(12345.6, en)).toBe("12,346");
  });

  it("shows missing ratios as a dash", () => {
    expect(formatRoas(null, en)).toBe(MISSING);
    expect(formatMultiple(undefined, en)).toBe(MISSING);
  });
});

describe("formatDelta", () => {
  it("gives a signed change against the previous period", () => {
    expect(formatDelta(120, 100, en)).toEqual({ ratio: 0.2, text: "+20%", direction: "up" });
    expect(formatDelta(75, 100, en)).toMatchObject({ text: "-25%", direction: "down" });
    expect(formatDelta(100, 100, en)).toMatchObject({ text: "0%", direction: "flat" });
  });

  it("has no delta when the previous value is zero or missing", () => {
    expect(formatDelta(50, 0, en)).toMatchObject({ ratio: null, text: MISSING, direction: "none" });
    expect(formatDelta(50, null, en)).toMatchObject({ text: MISSING });
    expect(formatDelta(null, 50, en)).toMatchObject({ text: MISSING });
  });

  it("compares against the magnitude of a negative previous value", () => {
    expect(formatDelta(-50, -100, en).direction).toBe("up");
  });
});

describe("formatMetric", () => {
  it("marks values that are not final as incomplete rather than a number", () => {
    expect(formatMetric("money", 0, { ...en, currency: "USD", complete: false })).toBe(INCOMPLETE);
    expect(formatMetric("money", 12, { ...en, currency: "USD", complete: true })).toBe("$12.00");
    expect(formatMetric("money", 12, { ...en, currency: "USD", complete: null })).toBe("$12.00");
  });

  it("gives the age of recent data in minutes", () => {
    expect(formatAge(0.005, en)).toBe("< 1m");
    expect(formatAge(0.4, en)).toBe("24m");
    expect(formatAge(5.2, en)).toBe("5h");
    expect(formatAge(72, en)).toBe("3d");
  });

  it("formats each kind", () => {
    expect(formatMetric("days", 23, en)).toBe("23 days");
    expect(formatMetric("text", "", en)).toBe(MISSING);
    expect(formatMetric("roas", "0.5", en)).toBe("50.0%");
  });

  it("gives every percentage of a kind the same decimals, so a column reads in one format", () => {
    expect([0.37, 0.356, 1].map((v) => formatRoas(v, en))).toEqual(["37.0%", "35.6%", "100.0%"]);
    expect([95, 95.24].map((v) => formatPercent(v, en))).toEqual(["95.0%", "95.2%"]);
    expect(formatRatioPercent(0.2, { ...en, digits: 0 })).toBe("20%");
  });
});
