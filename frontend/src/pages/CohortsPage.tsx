/** Cohorts: LTV curves (actual, then predicted), actual vs predicted ROAS, payback, churn and
 * survival by acquisition cohort and channel, and the model behind the predictions. */
import { useState } from "react";
import { useSearchParams } from "react-router";
import { Card, Col, Descriptions, Row, Segmented, Select, Space, Statistic, Switch, Tag, Tooltip, Typography } from "antd";
import { useQuery } from "@tanstack/react-query";
import { fetchCohorts, queryKeys } from "../api";
import type { Cohort, CohortGrain, CohortReport, ModelInfo } from "../api/types";
import { DataTable, type DataColumn } from "../components/DataTable";
import { EChart } from "../components/charts/EChart";
import { EmptyState, QueryView } from "../components/QueryView";
import { PlatformTag } from "../components/PlatformTag";
import { PLATFORM_LABELS, platformLabel } from "../lib/platforms";
import { csvFileName } from "../lib/csv";
import { toNumber } from "../lib/format";
import { useDateRange, useReportedCurrency } from "../state/report";
import { useFormat, type Formatters } from "../state/useFormat";
import { cohortName, latestCohorts, ltvCurveOption, roasBarsOption, survivalOption, type CurveMetric } from "./cohorts/charts";

const METRIC_LABELS: Record<string, string> = {
  mape: "MAPE",
  decile_mape: "Decile MAPE",
  mae: "MAE",
  gini: "Normalized Gini",
  normalized_gini: "Normalized Gini",
  spearman: "Spearman ρ",
  auc: "AUC",
  total_actual: "Total actual",
  total_predicted: "Total predicted",
  total_ratio: "Predicted ÷ actual",
  pr_auc: "PR AUC",
  brier: "Brier score",
  churn_rate: "Churn rate",
  log_likelihood: "Log-likelihood",
  churn_auc: "Churn AUC",
  churn_pr_auc: "Churn PR AUC",
  churn_brier: "Churn Brier score",
  churn_churn_rate: "Churned in holdout",
  churn_horizon_days: "Churn horizon (days)",
  holdout_customers: "Holdout customers",
  holdout_days: "Holdout days",
};

function metricLabel(key: string) {
  return METRIC_LABELS[key] ?? key.replace(/_/g, " ").replace(/^\w/, (c) => c.toUpperCase());
}

function metricValue(key: string, value: unknown, f: Formatters) {
  const n = toNumber(value as never);
  if (n === null) return typeof value === "string" ? value : "—";
  // analytics/ reports MAPE and rates as ratios (0.12 = 12%)
  if (/mape|rate$/.test(key)) return f.ratioPercent(n);
  if (key === "total_ratio") return `${f.number(n, 2)}×`;
  if (/^total_/.test(key)) return f.money(n);
  return f.number(n, 3);
}

function ModelCard({ model, f }: { model: ModelInfo | null; f: Formatters }) {
  if (!model) {
    return (
      <Card title="Prediction model" className="section">
        <EmptyState description="No LTV model has been trained yet: predicted values are missing." />
      </Card>
    );
  }
  const metrics = Object.entries(model.metrics ?? {});
  return (
    <Card
      title="Prediction model in use"
      className="section"
      extra={<Tag color="blue">{model.kind}</Tag>}
    >
      <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }} style={{ marginBottom: 12 }}>
        <Descriptions.Item label="Version">{String(model.id)}</Descriptions.Item>
        <Descriptions.Item label="Trained">{f.dateTime(model.trained_at)}</Descriptions.Item>
        <Descriptions.Item label="Evaluation">holdout period</Descriptions.Item>
      </Descriptions>
      {metrics.length ? (
        <Row gutter={[24, 12]}>
          {metrics.map(([key, value]) => (
            <Col key={key} xs={12} md={6} xl={4}>
              <Statistic title={metricLabel(key)} value={metricValue(key, value, f)} valueStyle={{ fontSize: 20 }} />
            </Col>
          ))}
        </Row>
      ) : (
        <Typography.Text type="secondary">No holdout metrics recorded.</Typography.Text>
      )}
    </Card>
  );
}

function cohortColumns(currency: string, withPlatform: boolean, name: (c: Cohort) => string): DataColumn<Cohort>[] {
  const cols: DataColumn<Cohort>[] = [
    { key: "cohort", title: "Cohort", value: (c) => c.cohort, render: (c) => name(c), fixed: "left" },
  ];
  if (withPlatform) {
    cols.push({
      key: "platform",
      title: "Channel",
      value: (c) => c.platform ?? "",
      filterable: true,
      filterLabel: (v) => platformLabel(v, "All"),
      render: (c) => (c.platform ? <PlatformTag platform={c.platform} /> : "All"),
    });
  }
  return [
    ...cols,
    { key: "customers", title: "Customers", kind: "integer", value: (c) => c.customers },
    { key: "spend", title: "Spend", kind: "money", currency, value: (c) => c.spend },
    { key: "roas_actual", title: "Actual ROAS", kind: "roas", value: (c) => c.roas_actual },
    { key: "roas_predicted", title: "Predicted ROAS", kind: "roas", value: (c) => c.roas_predicted },
    { key: "payback_days", title: "Payback", kind: "days", value: (c) => c.payback_days, help: "— when the cohort has not paid back yet" },
    { key: "churn_rate", title: "Churn", kind: "ratioPercent", value: (c) => c.churn_rate },
  ];
}

export default function CohortsPage() {
  const [range] = useDateRange();
  const [params, setParams] = useSearchParams();
  const grain = (params.get("cohort") as CohortGrain) || "week";
  const platform = params.get("platform") || null;
  const [metric, setMetric] = useState<CurveMetric>("roas");
  const [showAll, setShowAll] = useState(false);
  const setParam = (key: string, value: string | null) =>
    setParams((prev) => {
      const p = new URLSearchParams(prev);
      if (value) p.set(key, value);
      else p.delete(key);
      return p;
    });

  const filters = { ...range, cohort: grain, platform };
  const report = useQuery({ queryKey: queryKeys.cohorts(filters), queryFn: ({ signal }) => fetchCohorts(filters, signal) });
  useReportedCurrency(report.data?.currency);
  const f = useFormat(report.data?.currency);

  return (
    <div>
      <div className="page-toolbar">
        <Space wrap>
          <span>Cohort by</span>
          <Segmented
            value={grain}
            onChange={(v) => setParam("cohort", String(v))}
            options={[
              { label: "Day", value: "day" },
              { label: "Week", value: "week" },
              { label: "Month", value: "month" },
            ]}
          />
          <Select
            aria-label="Channel"
            style={{ width: 200 }}
            value={platform ?? ""}
            onChange={(v) => setParam("platform", v || null)}
            options={[{ label: "All channels", value: "" }, ...Object.entries(PLATFORM_LABELS).map(([value, label]) => ({ value, label }))]}
          />
        </Space>
      </div>
      <QueryView
        query={report}
        isEmpty={(d: CohortReport) => d.cohorts.length === 0}
        empty={
          <Card>
            <EmptyState description="No customers were acquired in this date range." />
          </Card>
        }
      >
        {(d: CohortReport) => {
          const withPlatform = new Set(d.cohorts.map((c) => c.platform ?? "")).size > 1;
          const shown = latestCohorts(d.cohorts, showAll ? 40 : 8);
          const labels = { withPlatform, grain };
          return (
            <>
              <ModelCard model={d.model} f={f} />
              <Card
                className="section"
                title="LTV curves"
                extra={
                  <Space wrap>
                    <Tooltip title="Solid: actual revenue so far. Dashed: the model's prediction.">
                      <Typography.Text type="secondary">solid actual · dashed predicted</Typography.Text>
                    </Tooltip>
                    <Segmented
                      value={metric}
                      onChange={(v) => setMetric(v as CurveMetric)}
                      options={[
                        { label: "ROAS", value: "roas" },
                        { label: "Per customer", value: "per_customer" },
                        { label: "Revenue", value: "revenue" },
                      ]}
                    />
                    <Space size={4}>
                      <Switch size="small" checked={showAll} onChange={setShowAll} aria-label="Show all cohorts" />
                      <span>all cohorts</span>
                    </Space>
                  </Space>
                }
              >
                <EChart ariaLabel="LTV curves by cohort" option={ltvCurveOption(shown, metric, labels, f)} height={360} />
              </Card>
              <Row gutter={[16, 16]} className="section">
                <Col xs={24} xl={12}>
                  <Card title="Actual vs predicted ROAS" style={{ height: "100%" }}>
                    <EChart ariaLabel="Actual and predicted ROAS by cohort" option={roasBarsOption(shown, labels, f)} height={300} />
                  </Card>
                </Col>
                <Col xs={24} xl={12}>
                  <Card title="Survival (share of customers still active)" style={{ height: "100%" }}>
                    {shown.some((c) => c.survival?.length) ? (
                      <EChart ariaLabel="Survival curves by cohort" option={survivalOption(shown, labels, f)} height={300} />
                    ) : (
                      <EmptyState description="No survival estimates for these cohorts." />
                    )}
                  </Card>
                </Col>
              </Row>
              <Card className="section">
                <DataTable<Cohort>
                  title="Cohorts"
                  rows={d.cohorts}
                  columns={cohortColumns(d.currency, withPlatform, (c) => cohortName(c, false, grain, f))}
                  rowKey={(c) => `${c.cohort}|${c.platform ?? ""}`}
                  defaultSort={{ key: "cohort", order: "descend" }}
                  csvName={csvFileName("cohorts", grain, platform, range.start, range.end)}
                />
              </Card>
            </>
          );
        }}
      </QueryView>
    </div>
  );
}
