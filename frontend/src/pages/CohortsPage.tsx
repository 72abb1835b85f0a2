/** Cohorts: LTV curves (actual, then predicted), actual vs predicted ROAS, payback, churn and
 * survival by acquisition cohort and channel, and the model behind the predictions. */
import { useState } from "react";
import { useSearchParams } from "react-router";
import { Button, Card, Col, Row, Segmented, Select, Space, Tag, Tooltip, Typography } from "antd";
import { useQuery } from "@tanstack/react-query";
import { fetchCohorts, queryKeys } from "../api";
import type { ChurnAccuracy, ChurnDriver, Cohort, CohortGrain, CohortReport, FirstPurchaseModelInfo } from "../api/types";
import { earlyColumns } from "./channels/columns";
import { DataTable, type DataColumn } from "../components/DataTable";
import { EChart } from "../components/charts/EChart";
import { EmptyState, QueryView } from "../components/QueryView";
import { PlatformTag } from "../components/PlatformTag";
import { platformLabel, platformOptions } from "../lib/platforms";
import { csvFileName } from "../lib/csv";
import { cohortDays } from "../lib/dates";
import type { ActionListScope } from "../api/actionLists";
import { ActionListsMenu } from "../components/ActionListsMenu";
import { NET_REVENUE, SUSPECT_DEFINITION } from "./channels/columns";
import { useDateRange, useReportedCurrency } from "../state/report";
import { useFormat, type Formatters } from "../state/useFormat";
import { TrustNote } from "../components/TrustNote";
import { predictionSentence, predictionShort, shownRoas } from "../lib/prediction";
import { churnAgeShort, churnSentence, churnShort, errorSentence, errorShort } from "../lib/trust";
import {
  cohortColor,
  cohortKey,
  cohortName,
  ltvCurveOption,
  hasSurvival,
  survivalEnd,
  roasBarsHeight,
  roasBarsOption,
  survivalOption,
  topCohorts,
  type CurveMetric,
} from "./cohorts/charts";
import { ModelCard } from "./cohorts/ModelCard";
import {
  accuracyCell,
  accuracySentence,
  CHURN_INACTIVITY_DAYS,
  churnDriverLines,
  cohortDriverLines,
  intervalReason,
  intervalSentence,
  MAX_SHOWN,
  PREDICTED_HORIZON_DAYS,
  roasInterval,
} from "./cohorts/trust";

function cohortColumns(
  currency: string,
  withPlatform: boolean,
  name: (c: Cohort) => string,
  f: Formatters,
  withAccuracy: boolean,
  churn: ChurnAccuracy | null | undefined,
  scope: (c: Cohort) => ActionListScope,
  firstPurchase?: FirstPurchaseModelInfo | null,
): DataColumn<Cohort>[] {
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
    {
      key: "suspect_share",
      title: "Suspect share",
      kind: "ratioPercent",
      value: (c) => c.suspect_share,
      help: `Suspect customers ÷ the cohort's customers. ${SUSPECT_DEFINITION}`,
    },
    { key: "spend", title: "Spend", kind: "money", currency, value: (c) => c.spend },
    { key: "roas_actual", title: "Actual ROAS", kind: "roas", value: (c) => c.roas_actual },
    {
      key: "roas_predicted",
      title: "Predicted ROAS",
      kind: "roas",
      value: (c) => shownRoas(c.prediction, c.roas_predicted),
      help:
        `One predicted ROAS per cohort: the LTV model's predicted ${PREDICTED_HORIZON_DAYS}-day revenue ÷ spend.` +
        (firstPurchase
          ? ` A cohort under ${firstPurchase.early_age_days} days old shows instead early signals' ${firstPurchase.horizon_days}-day figure (from its own first in-app events) where their stored backtest at that age was closer than the LTV model's on the same ${firstPurchase.horizon_days}-day revenue.`
          : "") +
        " Below it: its horizon, source and typical error (the median error of backtested cohorts) at the cohort's age" +
        (withAccuracy ? "; for the LTV model's, the 80% interval (8 in 10 backtested cohorts of that size and age fell inside), and why when it is wide" : ""),
      render: (c) => {
        const p = c.prediction;
        const range = p?.source === "early" ? null : roasInterval(c, f);
        const reason = p?.source === "early" ? null : intervalReason(c, f);
        return (
          <span className="predicted-roas">
            <span className="num">{f.roas(shownRoas(p, c.roas_predicted))}</span>
            <TrustNote text={predictionShort(p)} tooltip={predictionSentence(p, f)} />
            {range && (
              <Tooltip title={intervalSentence(c, f)}>
                <span style={{ display: "block" }}>
                  <Typography.Text type="secondary" className="roas-interval" style={{ display: "block", fontSize: 12 }}>
                    {range}
                  </Typography.Text>
                  {reason && (
                    <Typography.Text
                      type="warning"
                      className="roas-interval-reason"
                      style={{ display: "block", fontSize: 11, whiteSpace: "normal", maxWidth: 170, marginLeft: "auto" }}
                    >
                      {reason}
                    </Typography.Text>
                  )}
                </span>
              </Tooltip>
            )}
          </span>
        );
      },
    },
    ...(withAccuracy
      ? [
          {
            key: "accuracy",
            title: "Backtested error",
            value: (c: Cohort) => (c.prediction?.source === "early" ? (c.prediction.error_pct == null ? null : c.prediction.error_pct / 100) : (c.accuracy?.error_p50 ?? null)),
            help: "How far the predicted ROAS's model was off for cohorts this old, in a backtest (the LTV model's: predicted ROAS, LTV and LTV:CAC share it; early signals' where their figure is shown). Backtest ages count days from install: D1 is the acquisition day, D3 the 2nd-3rd day (1-2 days old), D7 up to the 7th, then D14, D30, D90",
            render: (c: Cohort) => {
              const sentence = accuracySentence(c, f);
              return sentence ? (
                <Tooltip title={sentence}>
                  <span className="accuracy-cell">{accuracyCell(c, f)}</span>
                </Tooltip>
              ) : (
                <Typography.Text type="secondary" className="accuracy-cell">
                  {accuracyCell(c, f)}
                </Typography.Text>
              );
            },
          } satisfies DataColumn<Cohort>,
        ]
      : []),
    ...(firstPurchase ? earlyColumns<Cohort>(firstPurchase, `of cohorts under ${firstPurchase.early_age_days} days old`, f) : []),
    {
      key: "payback_days",
      title: "Payback",
      kind: "days",
      value: (c) => c.payback_days,
      help: "— when the cohort has not paid back yet",
      note: (c) =>
        c.payback_accuracy && c.payback_days != null ? (
          <TrustNote
            text={`predicted, ${errorShort(c.payback_accuracy, f)}`}
            tooltip={`The payback day rests on predicted revenue. ${errorSentence("Revenue through day {h}", c.payback_accuracy, c.age_days, f) ?? ""}`}
          />
        ) : null,
    },
    {
      key: "churn_rate",
      title: "Predicted churn",
      kind: "ratioPercent",
      value: (c) => c.churn_rate,
      note: (c) =>
        c.churn_rate == null ? null : (
          <TrustNote
            text={churnAgeShort(c.churn_accuracy, f) ?? churnShort(churn, f)}
            tooltip={churnSentence(churn, f, c.churn_accuracy ?? null)}
          />
        ),
      help:
        churn?.auc != null
          ? `Share predicted not to buy again${churn.horizon_days ? ` within ${churn.horizon_days} days` : ""}. Churn model backtested AUC ${f.number(churn.auc, 2)} (0.5 = guessing, 1 = perfect)`
          : "Share of customers the model predicts will not buy again",
    },
    {
      key: "lists",
      title: "Customer lists",
      help: "Download the cohort's customers likely to pay, likely to churn or suspected (CSV)",
      value: () => "",
      render: (c) => <ActionListsMenu size="small" label="Lists" scope={scope(c)} />,
      sortable: false,
      exportable: false,
    },
  ];
}

function ChurnDriversCard({
  drivers,
  backtested,
  cohorts,
  name,
}: {
  drivers: Record<string, ChurnDriver[]>;
  backtested: boolean;
  cohorts: Cohort[];
  name: (c: Cohort) => string;
}) {
  const lines = churnDriverLines(drivers);
  const cohortLines = cohortDriverLines(cohorts, name);
  return (
    <Card className="section churn-drivers" title="What drives churn">
      <Row gutter={[32, 12]}>
        <Col xs={24} xl={12}>
          <Typography.Title level={5} style={{ marginTop: 0 }}>
            By channel
          </Typography.Title>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 8 }}>
            Measured in the churn model&apos;s backtest: how often customers with a trait stopped buying for {CHURN_INACTIVITY_DAYS} days,
            against the channel&apos;s other customers.
          </Typography.Paragraph>
          {lines.length ? (
            <ul style={{ margin: 0, paddingLeft: 18 }}>
              {lines.map((l) => (
                <li key={`${l.platform}|${l.text}`} className="churn-driver">
                  <PlatformTag platform={l.platform} /> {l.text}
                </li>
              ))}
            </ul>
          ) : (
            <Typography.Text type="secondary">
              {backtested
                ? "No trait makes the customers of a channel churn notably more often than the others."
                : "No churn model has been backtested yet: what drives churn will show here once one has."}
            </Typography.Text>
          )}
        </Col>
        <Col xs={24} xl={12}>
          <Typography.Title level={5} style={{ marginTop: 0 }}>
            By cohort (the cohorts on the charts)
          </Typography.Title>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 8 }}>
            The churn the model predicts for each cohort&apos;s customers with a trait, against the cohort&apos;s other customers.
          </Typography.Paragraph>
          {cohortLines.length ? (
            <ul style={{ margin: 0, paddingLeft: 18 }}>
              {cohortLines.map((l) => (
                <li key={`${l.cohort}|${l.text}`} className="cohort-churn-driver">
                  <Typography.Text strong>{l.cohort}:</Typography.Text> {l.text}
                </li>
              ))}
            </ul>
          ) : (
            <Typography.Text type="secondary" className="cohort-churn-drivers-empty">
              No trait makes the customers of these cohorts notably more likely to churn (or the cohorts are too small to tell).
            </Typography.Text>
          )}
        </Col>
      </Row>
    </Card>
  );
}

export default function CohortsPage() {
  const [range] = useDateRange();
  const [params, setParams] = useSearchParams();
  const grain = (params.get("cohort") as CohortGrain) || "week";
  const platform = params.get("platform") || null;
  const [metric, setMetric] = useState<CurveMetric>("roas");
  // cohorts on the charts (row keys); null = the largest MAX_SHOWN
  const [picked, setPicked] = useState<string[] | null>(null);
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
            options={[{ label: "All channels", value: "" }, ...platformOptions()]}
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
          const byKey = new Map(d.cohorts.map((c) => [cohortKey(c), c]));
          const defaultKeys = topCohorts(d.cohorts, MAX_SHOWN).map(cohortKey);
          const shownKeys = (picked ?? defaultKeys).filter((k) => byKey.has(k));
          const shown = shownKeys.map((k) => byKey.get(k) as Cohort);
          const colorOf = (c: Cohort) => shownKeys.indexOf(cohortKey(c));
          const labels = { withPlatform, grain };
          const withAccuracy = d.cohorts.some((c) => c.accuracy !== undefined);
          const drivers = d.churn_drivers ?? d.churn_accuracy?.drivers;
          const surviving = shown.filter(hasSurvival);
          const anyPredicted = surviving.some((c) => c.survival.some((p) => p.observed === false));
          return (
            <>
              <ModelCard model={d.model} churn={d.churn_accuracy} firstPurchase={d.first_purchase_model} f={f} />
              <Card className="section" size="small">
                <Typography.Text strong>Cohorts on the charts</Typography.Text>
                <Select
                  aria-label="Cohorts on the charts"
                  className="cohort-picker"
                  mode="multiple"
                  style={{ width: "100%", marginTop: 4 }}
                  value={shownKeys}
                  maxCount={MAX_SHOWN}
                  onChange={(keys: string[]) => setPicked(keys)}
                  optionFilterProp="label"
                  options={[...d.cohorts]
                    .sort((a, b) => (a.cohort < b.cohort ? 1 : a.cohort > b.cohort ? -1 : 0))
                    .map((c) => ({
                      value: cohortKey(c),
                      label: `${cohortName(c, withPlatform, grain, f)} (${f.integer(c.customers)} customers)`,
                    }))}
                  tagRender={({ value, closable, onClose }) => {
                    const c = byKey.get(String(value));
                    const color = cohortColor(shownKeys.indexOf(String(value)));
                    return (
                      <Tag
                        className="cohort-tag"
                        closable={closable}
                        onClose={onClose}
                        onMouseDown={(e) => e.preventDefault()}
                        style={{ marginInlineEnd: 4, borderColor: color }}
                      >
                        <span style={{ display: "inline-block", width: 8, height: 8, borderRadius: 4, background: color, marginRight: 6 }} />
                        {c ? cohortName(c, withPlatform, grain, f) : String(value)}
                      </Tag>
                    );
                  }}
                />
                <Space style={{ marginTop: 6 }} wrap>
                  <Typography.Text type="secondary">
                    {picked === null ? `The ${shown.length} largest cohorts by customers; pick up to ${MAX_SHOWN}.` : `Up to ${MAX_SHOWN} cohorts.`}
                  </Typography.Text>
                  {picked !== null && (
                    <Button size="small" type="link" onClick={() => setPicked(null)}>
                      Show the largest {MAX_SHOWN}
                    </Button>
                  )}
                </Space>
              </Card>
              <Card
                className="section"
                title="LTV curves"
                extra={
                  <Space wrap>
                    <Tooltip
                      title={`Solid: actual revenue so far. Dashed: the prediction its bar and the table show, the LTV model's through day ${PREDICTED_HORIZON_DAYS}, or for a young cohort shown early signals' figure, that figure through its horizon (30 days). ${NET_REVENUE}`}
                    >
                      <Typography.Text type="secondary" className="curve-legend">
                        solid actual · dashed predicted · net of refunds
                      </Typography.Text>
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
                  </Space>
                }
              >
                {shown.length ? (
                  <EChart ariaLabel="LTV curves by cohort" option={ltvCurveOption(shown, metric, labels, f)} height={360} />
                ) : (
                  <EmptyState description="Pick cohorts above to draw their curves." />
                )}
              </Card>
              <Row gutter={[16, 16]} className="section">
                <Col xs={24} xl={12}>
                  <Card title="Actual vs predicted ROAS" style={{ height: "100%" }}>
                    {shown.length ? (
                      <EChart ariaLabel="Actual and predicted ROAS by cohort" option={roasBarsOption(shown, labels, f)} height={roasBarsHeight(shown.length)} />
                    ) : (
                      <EmptyState description="Pick cohorts above." />
                    )}
                  </Card>
                </Col>
                <Col xs={24} xl={12}>
                  <Card title="Survival: share of customers still buying" style={{ height: "100%" }}>
                    {surviving.length ? (
                      <>
                        <EChart
                          ariaLabel="Survival curves by cohort"
                          option={survivalOption(surviving, labels, f, colorOf)}
                          height={300}
                        />
                        <div className="survival-ends" style={{ margin: "4px 0 8px" }}>
                          {surviving.map((c) => {
                            const end = survivalEnd(c);
                            if (!end) return null;
                            return (
                              <Tooltip
                                key={cohortKey(c)}
                                title={`${f.ratioPercent(end.p, 0)} of the cohort still buying on day ${end.day}${end.observed ? " (observed)" : `, counting the predicted churn of customers whose ${CHURN_INACTIVITY_DAYS} days have not passed`}`}
                              >
                                <Tag className="survival-end" data-key={cohortKey(c)} style={{ marginBottom: 4 }}>
                                  <span
                                    style={{ display: "inline-block", width: 8, height: 8, borderRadius: 4, background: cohortColor(colorOf(c)), marginRight: 6 }}
                                  />
                                  {cohortName(c, withPlatform, grain, f)}: {f.ratioPercent(end.p, 0)} on day {end.day}
                                </Tag>
                              </Tooltip>
                            );
                          })}
                        </div>
                        <Typography.Paragraph type="secondary" className="survival-note" style={{ fontSize: 12, margin: 0 }}>
                          Kaplan-Meier, over each cohort&apos;s life so far: the share of its customers who buy on day N or later (all of
                          them on day 0, not drawn; those who never buy after their first day have left by day 1). A customer has churned
                          after {CHURN_INACTIVITY_DAYS} days without a purchase, as in the table&apos;s predicted churn.
                          {anyPredicted
                            ? ` Solid: churn already observed. Dashed: customers whose ${CHURN_INACTIVITY_DAYS} days have not passed yet count with the churn model's prediction, so each curve ends at 100% minus the cohort's predicted churn.`
                            : ""}
                        </Typography.Paragraph>
                      </>
                    ) : (
                      <EmptyState
                        description={
                          <span className="survival-note">
                            No survival to draw yet: these customers were acquired today, or none of them has a churn prediction
                            (the model scores customers when it is trained).
                          </span>
                        }
                      />
                    )}
                  </Card>
                </Col>
              </Row>
              {drivers != null && (
                <ChurnDriversCard
                  drivers={drivers}
                  backtested={d.churn_accuracy != null}
                  cohorts={shown}
                  name={(c) => cohortName(c, withPlatform, grain, f)}
                />
              )}
              <Card className="section">
                <DataTable<Cohort>
                  title="Cohorts"
                  rows={d.cohorts}
                  columns={cohortColumns(
                    d.currency,
                    withPlatform,
                    (c) => cohortName(c, false, grain, f),
                    f,
                    withAccuracy,
                    d.churn_accuracy,
                    (c) => ({
                      ...cohortDays(c.cohort, grain, range),
                      platform: c.platform ?? platform,
                    }),
                    d.cohorts.some((c) => c.early) ? d.first_purchase_model : null,
                  )}
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
