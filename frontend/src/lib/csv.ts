/**
 * CSV export done in the browser (RFC 4180): raw, unformatted values so that a spreadsheet
 * reads numbers as numbers; missing values are empty cells, never 0.
 */

export interface CsvColumn<T> {
  header: string;
  value: (row: T) => unknown;
}

const NEEDS_QUOTES = /[",\r\n]/;
// A text cell starting with one of these is run as a formula by spreadsheets.
const FORMULA_START = /^[=+\-@\t\r]/;
const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** One CSV cell. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text: string;
  if (typeof value === "number") {
    text = Number.isFinite(value) ? String(value) : "";
  } else if (typeof value === "boolean") {
    text = value ? "true" : "false";
  } else if (value instanceof Date) {
    text = Number.isNaN(value.getTime()) ? "" : value.toISOString();
  } else if (typeof value === "object") {
    text = JSON.stringify(value);
  } else {
    text = String(value);
    if (FORMULA_START.test(text) && !NUMERIC.test(text.trim())) text = `'${text}`;
  }
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv<T>(columns: CsvColumn<T>[], rows: readonly T[]): string {
  const lines = [columns.map((c) => csvField(c.header)).join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvField(c.value(row))).join(","));
  return lines.join("\r\n") + "\r\n";
}

/** A file name safe on every OS: "spendlens-channels-2024-01-01_2024-01-30.csv". */
export function csvFileName(...parts: (string | null | undefined)[]): string {
  const stem = ["spendlens", ...parts]
    .filter((p): p is string => Boolean(p))
    .join("-")
    .replace(/[^A-Za-z0-9._-]+/g, "_");
  return `${stem}.csv`;
}

/** Save `csv` as a file (a UTF-8 BOM makes Excel read non-ASCII names right). */
export function downloadCsv(filename: string, csv: string): void {
  saveBlob(filename, new Blob(["\uFEFF", csv], { type: "text/csv;charset=utf-8" }));
}

/** Save `blob` as the file `filename` (the browser's download). */
export function saveBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
