import { describe, expect, it } from "vitest";
import { problemRows } from "./problems";

describe("problemRows", () => {
  it("orders lines by number, not as text", () => {
    const errors = {
      "line 10": { amount: ["not a number"] },
      "line 19": { currency: ["unknown"] },
      "line 2": { customer_id: ["is required"] },
      "line 100": { occurred_at: ["not a date"] },
    };
    expect(problemRows(errors).map((r) => r.record)).toEqual(["line 2", "line 10", "line 19", "line 100"]);
  });

  it("puts problems of the whole file first and keeps every message of a field", () => {
    const rows = problemRows({ "line 3": { amount: ["not a number", "negative"] }, file: { columns: ["missing: amount"] } });
    expect(rows).toEqual([
      { record: "file", number: null, field: "columns", message: "missing: amount" },
      { record: "line 3", number: 3, field: "amount", message: "not a number" },
      { record: "line 3", number: 3, field: "amount", message: "negative" },
    ]);
  });

  it("reads a field-level error without records", () => {
    expect(problemRows({ file: ["attach the CSV"] })).toEqual([{ record: "file", number: null, field: "", message: "attach the CSV" }]);
    expect(problemRows({ USD: ["line 2: USD 'abc' is not a number"] })).toEqual([
      { record: "file", number: null, field: "USD", message: "line 2: USD 'abc' is not a number" },
    ]);
    expect(problemRows(undefined)).toEqual([]);
  });
});
