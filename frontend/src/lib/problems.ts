/** The line-by-line report of a rejected upload: the API answers
 * {errors: {"line 17": {"amount": ["not a number"]}}}, keyed by text (and JSON objects come back
 * in text order: "line 10" before "line 2"). Rows here are in file order. */

export interface ProblemRow {
  /** "line 17", "item 3", "file" */
  record: string;
  /** The line or item number; null for the file as a whole. */
  number: number | null;
  field: string;
  message: string;
}

function numberOf(record: string): number | null {
  const m = /(\d+)\s*$/.exec(record);
  return m ? Number(m[1]) : null;
}

/** Records without a number (the file itself) first, then by number, then by field. */
export function problemRows(errors: unknown): ProblemRow[] {
  if (!errors || typeof errors !== "object") return [];
  const rows: ProblemRow[] = [];
  for (const [record, fields] of Object.entries(errors as Record<string, unknown>)) {
    const number = numberOf(record);
    if (Array.isArray(fields) || typeof fields === "string") {
      // {"USD": ["line 2: …"]}: a column of the file, not a record.
      const isRecord = number !== null || record === "file";
      for (const message of [fields].flat()) {
        rows.push({ record: isRecord ? record : "file", number, field: isRecord ? "" : record, message: String(message) });
      }
      continue;
    }
    for (const [field, messages] of Object.entries((fields ?? {}) as Record<string, unknown>)) {
      for (const message of [messages].flat()) rows.push({ record, number, field, message: String(message) });
    }
  }
  return rows.sort(
    (a, b) =>
      (a.number ?? -1) - (b.number ?? -1) || a.record.localeCompare(b.record) || a.field.localeCompare(b.field),
  );
}
