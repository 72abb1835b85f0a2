/** Columns of the ROI table: one definition for the main table, the breakdowns and their CSV. */
import type { EarlyFigures, FirstPurchaseModelInfo, RoiReport, RoiRow } from "../../api/types";
import { payersSentence, payersShort } from "../../lib/early";
import { predictionSentence, predictionShort, shownRoas } from "../../lib/prediction";
import { TrustNote } from "../../components/TrustNote";
import { churnSentence, churnShort, errorSentence, errorShort, intervalText } from "../../lib/trust";
import type { Formatters } from "../../state/useFormat";
import type { DataColumn } from "../../components/DataTable";
import { PlatformTag } from "../../components/PlatformTag";
import { clicksNote, platformLabel } from "../../lib/platforms";

/** LTV:CAC differs from predicted ROAS by the margin and its own horizon; without either it is
 * the same number, and only predicted ROAS is shown. */
export function ltvCacIsDistinct(report: Partial<Pick<RoiReport, "horizon" | "ltv_horizon" | "margin_rate">>): boolean {
  const margin = report.margin_rate ?? 1;
  return margin !== 1 || (report.horizon ?? 365) !== (report.ltv_horizon ?? 365);
}

type TrustFields =
  | "currency"
  | "horizon"
  | "ltv_horizon"
  | "margin_rate"
  | "churn_accuracy"
  | "age_days"
  | "early_range"
  | "first_purchase_model";

/** Expected payers of customers too young for revenue history (`who`: which customers, e.g.
 * "acquired 3 Dec–7 Dec"), with their backtested error; none without an active first-purchase
 * model. Their early predicted ROAS is not a column of its own: where its backtest is the
 * better, it is the row's one Predicted ROAS (`prediction`). */
export function earlyColumns<T extends { early?: EarlyFigures | null }>(
  model: FirstPurchaseModelInfo | null | undefined,
  who: string,
  f?: Formatters,
): DataColumn<T>[] {
  if (!model) return [];
  return [
    {
      key: "expected_payers",
      title: "Expected payers",
      kind: "number",
      value: (r) => r.early?.expected_payers_30 ?? null,
      note: (r) =>
        f && r.early ? (
          <TrustNote
            text={[`of ${f.integer(r.early.customers)}`, payersShort(r.early)].filter(Boolean).join(" · ")}
            tooltip={payersSentence(r.early, f)}
          />
        ) : null,
      help: `Customers ${who} expected to make a first purchase within ${model.horizon_days} days of acquisition. Below it: of how many customers, the age it was predicted at and its backtested error`,
    },
  ];
}

/** The early columns of an ROI report: the customers of its young days (`early_range`). */
function reportEarlyColumns(report: Partial<Pick<RoiReport, TrustFields>>, f?: Formatters): DataColumn<RoiRow>[] {
  if (!report.early_range) return [];
  const [from, to] = report.early_range;
  const days = f ? `${f.shortDate(from)}–${f.shortDate(to)}` : `${from}–${to}`;
  return earlyColumns<RoiRow>(report.first_purchase_model, `acquired ${days}`, f);
}

const NOT_JUDGED = "not backtested at this age";

/** A count no platform reported for a row: its customers came from, say, a country no spend
 * row names. Unknown, which is not 0. */
export const NOT_REPORTED = {
  text: "not reported",
  tooltip: "No ad platform reported figures for this row (its customers are known from your own data), so its installs, impressions and clicks are unknown, not 0.",
};

/** The totals of an ROI report as its table's totals row reads them: the one predicted ROAS
 * and the expected payers of the range's young customers under their columns' keys, as
 * /api/roi's totals give them. */
export function roiTotals(totals: RoiReport["totals"]): Record<string, unknown> {
  return {
    ...totals,
    predicted_roas: shownRoas(totals.prediction, totals.predicted_roas),
    expected_payers: totals.early?.expected_payers_30 ?? null,
  };
}

/** The notes under the predicted figures of a row: how far to trust each, from the API's
 * backtest fields; none when the API reports no accuracy (or no formatters are given). */
function trustNotes(report: Partial<Pick<RoiReport, TrustFields>>, f?: Formatters) {
  if (!f) return {};
  const age = report.age_days;
  const horizon = report.horizon ?? 365;
  const judged = (r: RoiRow, key: "accuracy" | "ltv_cac_accuracy") => key in r;
  return {
    predicted_roas: (r: RoiRow) =>
      r.prediction && (r.prediction.source === "early" || r.prediction.compared) ? (
        <TrustNote text={predictionShort(r.prediction)} tooltip={predictionSentence(r.prediction, f)} />
      ) : r.predicted_roas == null || !judged(r, "accuracy") ? null : (
        <TrustNote
          text={intervalText(r.predicted_roas_interval, f) ?? NOT_JUDGED}
          tooltip={errorSentence("D{h} ROAS", r.accuracy, age, f, horizon)}
        />
      ),
    predicted_ltv: (r: RoiRow) =>
      r.predicted_ltv == null || !judged(r, "accuracy") ? null : (
        <TrustNote
          text={errorShort(r.accuracy, f) ? `${errorShort(r.accuracy, f)} backtested` : NOT_JUDGED}
          tooltip={errorSentence("D{h} LTV", r.accuracy, age, f, horizon)}
        />
      ),
    ltv_cac: (r: RoiRow) =>
      r.ltv_cac == null || !judged(r, "ltv_cac_accuracy") ? null : (
        <TrustNote
          text={errorShort(r.ltv_cac_accuracy, f) ? `${errorShort(r.ltv_cac_accuracy, f)} backtested` : NOT_JUDGED}
          tooltip={errorSentence("D{h} LTV (the LTV in LTV:CAC)", r.ltv_cac_accuracy, age, f, report.ltv_horizon)}
        />
      ),
    payback_days: (r: RoiRow) =>
      !r.payback_accuracy || r.payback_days == null ? null : (
        <TrustNote
          text={`predicted, ${errorShort(r.payback_accuracy, f)}`}
          tooltip={`The payback day rests on predicted revenue. ${errorSentence("Revenue through day {h}", r.payback_accuracy, age, f) ?? ""}`}
        />
      ),
    churn_rate: (r: RoiRow) =>
      r.churn_rate == null || !report.churn_accuracy ? null : (
        <TrustNote text={churnShort(report.churn_accuracy, f)} tooltip={churnSentence(report.churn_accuracy, f)} />
      ),
  };
}

export function roiMetricColumns(report: Partial<Pick<RoiReport, TrustFields>>, f?: Formatters): DataColumn<RoiRow>[] {
  const notes = trustNotes(report, f);
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
          note: notes.ltv_cac,
          help: `Margin-adjusted lifetime value per customer ÷ CAC: ${ltvHorizon}-day predicted LTV × ${margin}% margin ÷ customer acquisition cost`,
        },
      ]
    : [];
  const money = (key: keyof RoiRow, title: string, help?: string, complete?: (r: RoiRow) => boolean | null | undefined) =>
    ({ key, title, help, kind: "money", currency, value: (r: RoiRow) => r[key], complete }) as DataColumn<RoiRow>;
  return [
    money("spend", "Spend"),
    {
      key: "installs",
      title: "Installs",
      kind: "integer",
      value: (r) => r.installs,
      missing: NOT_REPORTED,
    },
    money("cpi", "CPI", "Cost per install: spend ÷ installs"),
    money("revenue", "Revenue", `To date, of the customers acquired in the range. ${NET_REVENUE}`),
    { key: "roas", title: "ROAS", kind: "roas", value: (r) => r.roas, help: "Revenue to date ÷ spend: it rises as the customers acquired keep paying" },
    {
      key: "predicted_roas",
      title: "Predicted ROAS",
      kind: "roas",
      value: (r) => shownRoas(r.prediction, r.predicted_roas),
      note: notes.predicted_roas,
      help: `Predicted ${horizon}-day revenue of the customers acquired ÷ spend${
        ltvCacIsDistinct(report) ? "" : ". With revenue counted as 100% margin this is also LTV:CAC"
      }${
        report.first_purchase_model
          ? `. A row whose customers are all under ${report.first_purchase_model.early_age_days} days old shows instead early signals' ${report.first_purchase_model.horizon_days}-day figure where their stored backtest at that age was closer than the LTV model's on the same ${report.first_purchase_model.horizon_days}-day revenue; below it, its horizon, source and backtested error`
          : ""
      }`,
    },
    ...ltvCac,
    ...reportEarlyColumns(report, f),
    {
      key: "payback_days",
      title: "Payback",
      kind: "days",
      value: (r) => r.payback_days,
      note: notes.payback_days,
      help: "Days until cumulative margin covers spend; — when not reached",
    },
    { key: "customers", title: "Customers", kind: "integer", value: (r) => r.customers, help: "New paying customers acquired" },
    money("cac", "CAC", "Customer acquisition cost: spend ÷ new customers"),
    ...suspectColumns(currency),
    money("revenue_d7", "Revenue D7", "Revenue in the first 7 days of each customer; incomplete until every cohort is 7 days old", (r) => r.d7_complete),
    money("revenue_d30", "Revenue D30", "Revenue in the first 30 days; incomplete until every cohort is 30 days old", (r) => r.d30_complete),
    { ...money("predicted_ltv", "Predicted LTV", `Predicted ${horizon}-day revenue per customer (model output)`), note: notes.predicted_ltv },
    {
      key: "churn_rate",
      title: "Churn",
      kind: "ratioPercent",
      value: (r) => r.churn_rate,
      note: notes.churn_rate,
      help: "Share of acquired customers predicted to have churned",
    },
    { key: "impressions", title: "Impressions", kind: "integer", value: (r) => r.impressions, missing: NOT_REPORTED },
    {
      key: "clicks",
      title: "Clicks",
      kind: "integer",
      value: (r) => r.clicks,
      help: clicksNote(),
      missing: NOT_REPORTED,
    },
  ];
}

/** What revenue is, said once for every figure and curve built on it (analytics.metrics). */
export const NET_REVENUE =
  "Revenue is net of refunds: a refund counts on the day it is paid back, so a cumulative line can dip where a period's refunds exceed its purchases.";

/** What traffic quality leaves out, said once for every figure that excludes it. */
export const SUSPECT_DEFINITION =
  "Suspect customers are those whose behaviour after installing (no activity after the first minute, opening the app seconds after installing, a sudden burst of installs, a purchase then refunded) makes them likely fake; see the Traffic quality page.";

/** Suspect share, and CAC and ROAS without the suspect customers (the spend stays whole). */
export function suspectColumns(currency?: string): DataColumn<RoiRow>[] {
  return [
    {
      key: "suspect_share",
      title: "Suspect share",
      kind: "ratioPercent",
      value: (r) => r.suspect_share,
      help: `Suspect customers ÷ customers acquired. ${SUSPECT_DEFINITION}`,
    },
    {
      key: "cac_excluding_suspects",
      title: "CAC excl. suspect",
      kind: "money",
      currency,
      value: (r) => r.cac_excluding_suspects,
      help: `CAC excluding suspect traffic: the whole spend ÷ the customers who are not suspect. The suspect customers are not counted; the spend is not reduced, since the money was spent. ${SUSPECT_DEFINITION}`,
    },
    {
      key: "roas_excluding_suspects",
      title: "ROAS excl. suspect",
      kind: "roas",
      value: (r) => r.roas_excluding_suspects,
      help: `ROAS excluding suspect traffic: the revenue of the customers who are not suspect ÷ the whole spend. The suspect customers' revenue is left out; the spend is not reduced, since the money was spent. ${SUSPECT_DEFINITION}`,
    },
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
