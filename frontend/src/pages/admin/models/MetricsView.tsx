/** A model version's metrics shown generically, whatever the training stored: numbers formatted,
 * names made readable, a map of same-shaped records (by platform, by horizon, by cohort age) as a
 * table, anything else nested. */
import type { ReactNode } from "react";
import { Descriptions, Table, Typography } from "antd";
import { declaredLabel } from "../../../lib/platforms";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Scalar = null | boolean | number | string;

const ACRONYMS: Record<string, string> = {
  mae: "MAE",
  mape: "MAPE",
  auc: "AUC",
  ltv: "LTV",
  roc: "ROC",
  pr: "PR",
  rmse: "RMSE",
  id: "ID",
};

/** "normalized_gini" → "Normalized gini", "pr_auc" → "PR AUC", "d30" → "D30". */
export function metricLabel(key: string): string {
  const words = key.split(/[_\s]+/).filter(Boolean);
  return words
    .map((w, i) => {
      const lower = w.toLowerCase();
      if (ACRONYMS[lower]) return ACRONYMS[lower];
      if (/^d\d+$/.test(lower)) return lower.toUpperCase();
      return i === 0 ? lower.charAt(0).toUpperCase() + lower.slice(1) : lower;
    })
    .join(" ");
}

function isScalar(v: unknown): v is Scalar {
  return v === null || ["boolean", "number", "string"].includes(typeof v);
}

function isFlatRecord(v: unknown): v is Record<string, Scalar> {
  return Boolean(v) && typeof v === "object" && !Array.isArray(v) && Object.values(v as object).every(isScalar);
}

export function formatMetricValue(v: Scalar): string {
  if (v === null) return "—";
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (typeof v === "string") return v;
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return v.toLocaleString("en-US");
  const abs = Math.abs(v);
  const digits = abs >= 1000 ? 0 : abs >= 100 ? 1 : abs >= 1 ? 3 : 4;
  return v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** Keys in reading order: a family of numbered keys (cohort ages d1, d3, d14; horizons 30, 365)
 * by its number, not as text (which puts d14 before d3); other keys as they came. */
export function orderedKeys(keys: string[]): string[] {
  const numbered = keys.map((k) => /^([a-z_]*?)_?(\d+)$/i.exec(k));
  if (!keys.length || numbered.some((m) => m === null)) return keys;
  const parts = numbered as RegExpExecArray[];
  return parts
    .map((m, i) => ({ key: keys[i], prefix: m[1].toLowerCase(), n: Number(m[2]) }))
    .sort((a, b) => (a.prefix === b.prefix ? a.n - b.n : a.prefix < b.prefix ? -1 : 1))
    .map((p) => p.key);
}

function inReadingOrder<T>(entries: [string, T][]): [string, T][] {
  const byKey = new Map(entries);
  return orderedKeys(entries.map(([k]) => k)).map((k) => [k, byKey.get(k) as T]);
}

/** A key as a label: a platform's name, a bare number as the horizon in days it is in the
 * trainings' metrics ("30" → "30-day horizon"), else the key made readable. */
export function keyLabel(key: string): string {
  if (/^\d+$/.test(key)) return `${key}-day horizon`;
  return declaredLabel(key) ?? metricLabel(key);
}

/** Records of one shape as a table: a row per record, a column per field. */
function RecordsTable({
  rows,
  keyTitle,
  numbered = false,
}: {
  rows: [string, Record<string, Scalar>][];
  keyTitle: string;
  numbered?: boolean;
}) {
  const fields = orderedKeys(Array.from(new Set(rows.flatMap(([, r]) => Object.keys(r)))));
  return (
    <Table
      size="small"
      pagination={false}
      scroll={{ x: "max-content" }}
      rowKey={(r: { key: string }) => r.key}
      dataSource={rows.map(([key, r]) => ({ key, ...r }))}
      columns={[
        { key: "key", title: keyTitle, dataIndex: "key", fixed: "left" as const, render: (k: string) => (numbered ? k : keyLabel(k)) },
        ...fields.map((field) => ({
          key: field,
          title: metricLabel(field),
          dataIndex: field,
          align: "right" as const,
          render: (v: Scalar) => <span className="num">{formatMetricValue(v)}</span>,
        })),
      ]}
    />
  );
}

function Section({ value }: { value: Json }): ReactNode {
  if (Array.isArray(value) && value.every(isFlatRecord)) {
    return <RecordsTable rows={value.map((r, i) => [String(i + 1), r])} keyTitle="#" numbered />;
  }
  if (Array.isArray(value)) return <span>{value.map((v) => (isScalar(v) ? formatMetricValue(v) : JSON.stringify(v))).join(", ")}</span>;
  if (value && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length && entries.every(([, v]) => isFlatRecord(v))) {
      return <RecordsTable rows={inReadingOrder(entries as [string, Record<string, Scalar>][])} keyTitle="" />;
    }
    return <MetricsView metrics={value} />;
  }
  return <span>{formatMetricValue(value as Scalar)}</span>;
}

export function MetricsView({ metrics }: { metrics: Record<string, unknown> }) {
  const entries = inReadingOrder(Object.entries(metrics as Record<string, Json>));
  // Short values side by side; a sentence (how the version was chosen, …) on a line of its own.
  const long = (v: Json) => typeof v === "string" && v.length > 32;
  const scalars = entries.filter(([, v]) => isScalar(v) && !long(v)) as [string, Scalar][];
  const sentences = entries.filter(([, v]) => long(v)) as [string, string][];
  const nested = entries.filter(([, v]) => !isScalar(v));
  if (!entries.length) return <Typography.Text type="secondary">No metrics recorded.</Typography.Text>;
  return (
    <div className="metrics-view">
      {scalars.length > 0 && (
        <Descriptions size="small" column={4} bordered={false}>
          {scalars.map(([key, v]) => (
            <Descriptions.Item key={key} label={keyLabel(key)}>
              <span className="num">{formatMetricValue(v)}</span>
            </Descriptions.Item>
          ))}
        </Descriptions>
      )}
      {sentences.map(([key, v]) => (
        <div key={key} className="metrics-sentence">
          <Typography.Text type="secondary">{metricLabel(key)}: </Typography.Text>
          {v}
        </div>
      ))}
      {nested.map(([key, v]) => (
        <div key={key} className="metrics-section">
          <div className="metrics-heading">{keyLabel(key)}</div>
          <Section value={v} />
        </div>
      ))}
    </div>
  );
}

/** Measures of accuracy named first in a summary when a version has them. */
const HEADLINE_FIRST = ["normalized_gini", "auc", "total_ratio", "mae", "decile_mape", "spearman", "brier"];

/** A few top-level numbers for a one-line summary: known accuracy measures first, then others. */
export function headlineMetrics(metrics: Record<string, unknown>, count = 3): string {
  const rank = (k: string) => (HEADLINE_FIRST.includes(k) ? HEADLINE_FIRST.indexOf(k) : HEADLINE_FIRST.length);
  return Object.entries(metrics)
    .filter(([, v]) => typeof v === "number")
    .sort(([a], [b]) => rank(a) - rank(b))
    .slice(0, count)
    .map(([k, v]) => `${metricLabel(k)} ${formatMetricValue(v as number)}`)
    .join(" · ");
}
