/** Columns of the ROI table: one definition for the main table, the breakdowns and their CSV. */
import type { RoiReport, RoiRow } from "../../api/types";
import type { DataColumn } from "../../components/DataTable";
import { PlatformTag } from "../../components/PlatformTag";
import { platformLabel } from "../../lib/platforms";

/** LTV:CAC differs from predicted ROAS by the margin and its own horizon; without either it is
 * the same number, and only predicted ROAS is shown. */
export function ltvCacIsDistinct(report: Partial<Pick<RoiReport, "horizon" | "ltv_horizon" | "margin_rate">>): boolean {
  const margin = report.margin_rate ?? 1;
  return margin !== 1 || (report.horizon ?? 365) !== (report.ltv_horizon ?? 365);
}

export function roiMetricColumns(report: Partial<Pick<RoiReport, "currency" | "horizon" | "ltv_horizon" | "margin_rate">>): DataColumn<RoiRow>[] {
  const currency = report.currency;
  const horizon = report.horizon ?? 365;
  const ltvHorizon = report.ltv_horizon ?? 365;
  const margin = Math.round((report.margin_rate ?? 1) * 1000) / 10;
  const ltvCac: DataColumn<RoiRow>[] = ltvCacIsDistinct(report)
    ? [
        {
          key: "ltv_cac",
          title: "LTV:CAC",
          kind: "multiple",
          value: (r) => r.ltv_cac,
          help: `Margin-adjusted lifetime value per customer ÷ CAC: ${ltvHorizon}-day predicted LTV × ${margin}% margin ÷ customer acquisition cost`,
        },
      ]
    : [];
  const money = (key: keyof RoiRow, title: string, help?: string, complete?: (r: RoiRow) => boolean | null | undefined) =>
    ({ key, title, help, kind: "money", currency, value: (r: RoiRow) => r[key], complete }) as DataColumn<RoiRow>;
  return [
    money("spend", "Spend"),
    { key: "installs", title: "Installs", kind: "integer", value: (r) => r.installs },
    money("cpi", "CPI", "Cost per install: spend ÷ installs"),
    money("revenue", "Revenue", "To date, of the customers acquired in the range"),
    { key: "roas", title: "ROAS", kind: "roas", value: (r) => r.roas, help: "Revenue to date ÷ spend: it rises as the customers acquired keep paying" },
    {
      key: "predicted_roas",
      title: "Predicted ROAS",
      kind: "roas",
      value: (r) => r.predicted_roas,
      help: `Predicted ${horizon}-day revenue of the customers acquired ÷ spend${
        ltvCacIsDistinct(report) ? "" : ". With revenue counted as 100% margin this is also LTV:CAC"
      }`,
    },
    ...ltvCac,
    { key: "payback_days", title: "Payback", kind: "days", value: (r) => r.payback_days, help: "Days until cumulative margin covers spend; — when not reached" },
    { key: "customers", title: "Customers", kind: "integer", value: (r) => r.customers, help: "New paying customers acquired" },
    money("cac", "CAC", "Customer acquisition cost: spend ÷ new customers"),
    money("revenue_d7", "Revenue D7", "Revenue in the first 7 days of each customer; incomplete until every cohort is 7 days old", (r) => r.d7_complete),
    money("revenue_d30", "Revenue D30", "Revenue in the first 30 days; incomplete until every cohort is 30 days old", (r) => r.d30_complete),
    money("predicted_ltv", "Predicted LTV", `Predicted ${horizon}-day revenue per customer (model output)`),
    { key: "churn_rate", title: "Churn", kind: "ratioPercent", value: (r) => r.churn_rate, help: "Share of acquired customers predicted to have churned" },
    { key: "impressions", title: "Impressions", kind: "integer", value: (r) => r.impressions },
    { key: "clicks", title: "Clicks", kind: "integer", value: (r) => r.clicks, help: "Apple Search Ads reports taps" },
  ];
}

export function nameColumn(title: string, withPlatform: boolean): DataColumn<RoiRow> {
  return {
    key: "label",
    title,
    value: (r) => r.label ?? r.key,
    fixed: "left",
    width: 260,
    render: (r) => (
      <span>
        <span style={{ fontWeight: 500 }}>{r.label || r.key}</span>
        {withPlatform && r.platform && (
          <span style={{ marginLeft: 8 }}>
            <PlatformTag platform={r.platform} />
          </span>
        )}
      </span>
    ),
  };
}

export function platformColumn(): DataColumn<RoiRow> {
  return {
    key: "platform",
    title: "Platform",
    value: (r) => r.platform ?? "",
    filterable: true,
    filterLabel: (v) => platformLabel(v),
    render: (r) => <PlatformTag platform={r.platform} />,
    exportable: true,
  };
}
