import { csvField, csvFileName, toCsv } from "./csv";

describe("csvField", () => {
  it("quotes fields with commas, quotes and line breaks (RFC 4180)", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\r\n")).toBe('"cr\r\n"');
  });

  it("writes numbers raw, not formatted", () => {
    expect(csvField(1234567.891)).toBe("1234567.891");
    expect(csvField(-12.5)).toBe("-12.5");
    expect(csvField("1234.50")).toBe("1234.50");
    expect(csvField("-12.5")).toBe("-12.5");
    expect(csvField(0)).toBe("0");
  });

  it("leaves missing values empty, never 0", () => {
    expect(csvField(null)).toBe("");
    expect(csvField(undefined)).toBe("");
    expect(csvField(Number.NaN)).toBe("");
  });

  it("defuses text that a spreadsheet would run as a formula", () => {
    expect(csvField("=HYPERLINK(\"x\")")).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField("+brand")).toBe("'+brand");
    expect(csvField("@campaign")).toBe("'@campaign");
  });

  it("writes booleans and objects readably", () => {
    expect(csvField(true)).toBe("true");
    expect(csvField({ a: 1 })).toBe('"{""a"":1}"');
  });
});

describe("toCsv", () => {
  it("writes a header and one CRLF-terminated line per row", () => {
    const rows = [
      { name: "Brand, EU", spend: 1234.5, roas: null },
      { name: "Retargeting", spend: 99, roas: 1.25 },
    ];
    const csv = toCsv(
      [
        { header: "Campaign", value: (r: (typeof rows)[number]) => r.name },
        { header: "Spend (USD)", value: (r: (typeof rows)[number]) => r.spend },
        { header: "ROAS", value: (r: (typeof rows)[number]) => r.roas },
      ],
      rows,
    );
    expect(csv).toBe('Campaign,Spend (USD),ROAS\r\n"Brand, EU",1234.5,\r\nRetargeting,99,1.25\r\n');
  });
});

describe("csvFileName", () => {
  it("builds a portable file name", () => {
    expect(csvFileName("roi", "campaign", null, "2024-01-01", "2024-01-31")).toBe(
      "spendlens-roi-campaign-2024-01-01-2024-01-31.csv",
    );
    expect(csvFileName("a b/c")).toBe("spendlens-a_b_c.csv");
  });
});
