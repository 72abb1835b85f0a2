/** Budget reallocation: each channel's response curve with its current and recommended points,
 * a what-if on the total daily budget, the table with a reason per item, CSV; finance and
 * admins run it on demand and apply it as next month's budgets (and undo that). */
import { useEffect, useState } from "react";
import { App, Alert, Button, Card, Col, InputNumber, Row, Slider, Space, Statistic, Tag, Tooltip, Typography } from "antd";
import { DownloadOutlined, ReloadOutlined, RollbackOutlined, CheckOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  applyRecommendation,
  fetchLatestRecommendation,
  fetchWhatIf,
  recommendationCsvUrl,
  requestRecommendation,
  undoRecommendation,
  type LatestRecommendation,
  type RecommendationItem,
  type RecommendationResult,
  type RecommendationRun,
} from "../api/recommendations";
import { ApiError } from "../api/client";
import { useAuth } from "../auth/AuthContext";
import { can } from "../auth/permissions";
import { DataTable, type DataColumn } from "../components/DataTable";
import { EmptyState, QueryView } from "../components/QueryView";
import { currencySymbol } from "../lib/format";
import { useFormat, type Formatters } from "../state/useFormat";
import { CurveChart } from "./recommendations/CurveChart";

const LATEST = ["recommendations", "latest"] as const;
const ACTION_COLORS: Record<RecommendationItem["action"], string> = {
  raise: "green",
  cut: "volcano",
  keep: "default",
  locked: "purple",
};

/** The table's columns; money in the run's reporting currency (`currency`), with its symbol. */
export function columns(f: Formatters, currency?: string | null): DataColumn<RecommendationItem>[] {
  const range = (r: RecommendationItem) => `${f.money(r.expected_low)} – ${f.money(r.expected_high)}`;
  return [
    { key: "label", title: "Item", value: (r) => r.label, width: 150 },
    {
      key: "action",
      title: "Move",
      value: (r) => r.action,
      filterable: true,
      render: (r) => (
        <Tag color={ACTION_COLORS[r.action]} bordered={false}>
          {r.action}
          {r.change !== null && r.action !== "keep" ? ` ${f.percent(r.change * 100, 0)}` : ""}
        </Tag>
      ),
    },
    { key: "current_spend", title: "Daily spend now", kind: "money", currency, value: (r) => r.current_spend },
    { key: "recommended_spend", title: "Recommended", kind: "money", currency, value: (r) => r.recommended_spend },
    {
      key: "marginal_roas_now",
      title: "Marginal ROAS now",
      help: "What the last dollar of a day's spend returns at today's spend",
      kind: "roas",
      value: (r) => r.marginal_roas_now,
    },
    { key: "marginal_roas_after", title: "… after", kind: "roas", value: (r) => r.marginal_roas_after },
    {
      key: "expected_outcome",
      title: "Expected daily revenue",
      help: "At the recommended spend, with its 80% interval",
      kind: "money",
      currency,
      value: (r) => r.expected_outcome,
      render: (r) => (
        <Space direction="vertical" size={0}>
          <span className="num">{f.money(r.expected_outcome)}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }} className="num">
            {range(r)}
          </Typography.Text>
        </Space>
      ),
    },
    {
      key: "reason",
      title: "Why",
      help: "Why the response curve fitted to this item's spend and outcome moves it: what its last dollars of a day brought, against the other items'",
      value: (r) => r.reason,
      sortable: false,
      render: (r) => <div style={{ minWidth: 260, maxWidth: 420 }}>{r.reason}</div>,
    },
  ];
}

function Totals({ result, f, label }: { result: RecommendationResult; f: Formatters; label: string }) {
  const r = result.recommended;
  return (
    <Row gutter={[16, 16]}>
      <Col xs={12} md={6}>
        <Statistic title="Daily spend now" value={f.money(result.current.spend)} />
      </Col>
      <Col xs={12} md={6}>
        <Statistic title={`${label} daily spend`} value={f.money(r.spend)} />
      </Col>
      <Col xs={12} md={6}>
        <Statistic title="Expected daily revenue" value={f.money(r.outcome)} />
        <Typography.Text type="secondary" className="num" data-testid="expected-interval">
          80%: {f.money(r.low)} – {f.money(r.high)} (now {f.money(result.current.outcome)})
        </Typography.Text>
      </Col>
      <Col xs={12} md={6}>
        <Statistic title="Expected ROAS" value={f.roas(r.roas)} />
        <Typography.Text type="secondary" className="num">
          80%: {f.roas(r.roas_low ?? null)} – {f.roas(r.roas_high ?? null)}
        </Typography.Text>
      </Col>
    </Row>
  );
}

function WhatIf({ run, f, onResult }: { run: RecommendationRun; f: Formatters; onResult: (r: RecommendationResult | null) => void }) {
  const base = run.result!.total_budget;
  const [total, setTotal] = useState<number>(Math.round(base));
  const [debounced, setDebounced] = useState<number>(Math.round(base));
  useEffect(() => {
    const t = setTimeout(() => setDebounced(total), 300);
    return () => clearTimeout(t);
  }, [total]);
  const changed = Math.abs(debounced - base) >= 1;
  const whatIf = useQuery({
    queryKey: ["recommendations", run.id, "what-if", debounced],
    queryFn: ({ signal }) => fetchWhatIf(run.id, debounced, signal),
    enabled: changed,
    retry: false,
  });
  useEffect(() => onResult(changed && whatIf.data ? whatIf.data : null), [changed, whatIf.data, onResult]);
  const error = changed && whatIf.error instanceof ApiError ? whatIf.error.message : null;
  return (
    <Card title="What if the total daily budget were…" size="small">
      <Space wrap align="center" style={{ width: "100%" }}>
        <Slider
          style={{ width: 360 }}
          min={Math.round(base * 0.5)}
          max={Math.round(base * 1.5)}
          value={total}
          onChange={(v) => setTotal(v)}
          tooltip={{ formatter: (v) => f.money(v ?? 0) }}
          aria-label="Total daily budget"
        />
        <InputNumber
          min={1}
          prefix={f.currency ? currencySymbol(f.currency, f.locale) : undefined}
          value={total}
          onChange={(v) => v && setTotal(v)}
          aria-label="Total daily budget amount"
          style={{ width: 140 }}
        />
        <Button onClick={() => setTotal(Math.round(base))} disabled={!changed}>
          Back to {f.money(base)}
        </Button>
      </Space>
      {error && <Alert type="warning" showIcon message={error} style={{ marginTop: 8 }} />}
    </Card>
  );
}

function RunFacts({ run, f }: { run: RecommendationRun; f: Formatters }) {
  const bt = run.backtest;
  const outcome =
    run.inputs.outcome === "predicted_revenue"
      ? `predicted ${run.inputs.horizon_days}-day revenue of the acquired customers (LTV model version ${run.model_version_id ?? "—"})`
      : run.inputs.outcome === "installs"
        ? "installs"
        : "revenue to date of the acquired customers";
  return (
    <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
      Run {run.id} ({run.trigger === "schedule" ? "weekly" : "on demand"}, {f.dateTime(run.finished_at)}), fitted on{" "}
      {f.date(run.data_start)} – {f.date(run.data_end)}; outcome: {outcome}.
      {bt && bt.total_error !== null && (
        <span data-testid="backtest">
          {" "}
          Backtest: fitted without the 28 days from {f.date(bt.origin)}, it predicted their revenue{" "}
          {f.percent(Math.abs(bt.total_error) * 100, 1)} {bt.total_error < 0 ? "under" : "over"} what happened (
          {bt.coverage !== null ? `${f.percent(bt.coverage * 100, 0)} of the channels inside their 80% interval` : "no interval"}).
        </span>
      )}
    </Typography.Paragraph>
  );
}

export default function RecommendationsPage() {
  const { user } = useAuth();
  const canEdit = can(user?.role, "editBudgets");
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const latest = useQuery({ queryKey: LATEST, queryFn: ({ signal }) => fetchLatestRecommendation(signal), retry: false });
  const currency = latest.data?.run?.result?.currency;
  const f = useFormat(currency);
  const [whatIf, setWhatIf] = useState<RecommendationResult | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ["recommendations"] });
  const onError = (err: Error) => message.error(err.message);
  const run = useMutation({
    mutationFn: requestRecommendation,
    onSuccess: () => message.info("A run is queued; the page updates when it is ready."),
    onError,
  });
  const apply = useMutation({
    mutationFn: (id: number) => applyRecommendation(id),
    onSuccess: (r) => {
      message.success(`Next month's budgets are written (${r.application?.budgets.length ?? 0}).`);
      refresh();
    },
    onError,
  });
  const undo = useMutation({
    mutationFn: (id: number) => undoRecommendation(id),
    onSuccess: () => {
      message.success("The budgets are back as they were.");
      refresh();
    },
    onError,
  });
  return (
    <div>
      {canEdit && (
        <div className="page-toolbar">
          <Button icon={<ReloadOutlined />} loading={run.isPending} onClick={() => run.mutate()}>
            Run now
          </Button>
        </div>
      )}
      <QueryView
        query={latest}
        isEmpty={(d: LatestRecommendation) => !d.run}
        empty={
          <Card>
            <EmptyState
              description={
                <Space direction="vertical" size={4}>
                  <span data-testid="no-recommendation">{latest.data?.message ?? "No recommendation yet."}</span>
                  <Typography.Text type="secondary">
                    A run fits a response curve to each channel's daily spend and outcome over the last months, then moves
                    daily budget to where the next dollar returns most.
                    {canEdit ? " Run now starts one; it takes a minute or two." : " Finance and admins can start one."}
                  </Typography.Text>
                </Space>
              }
            />
          </Card>
        }
      >
        {({ run: r }: { run: RecommendationRun | null }) => {
          if (!r) return null;
          const result = whatIf ?? r.result!;
            const applied = Boolean(r.applied_at && !r.undone_at);
            return (
              <Space direction="vertical" size={16} style={{ width: "100%" }}>
                <Card size="small">
                  <RunFacts run={r} f={f} />
                  {!canEdit && (
                    <Typography.Text type="secondary">Finance and admins can apply it as next month's budgets.</Typography.Text>
                  )}
                </Card>
                <Card>
                  <Totals result={result} f={f} label={whatIf ? "What-if" : "Recommended"} />
                </Card>
                <WhatIf run={r} f={f} onResult={setWhatIf} />
                <Row gutter={[16, 16]}>
                  {(r.curves ?? []).map((curve) => (
                    <Col key={curve.key} xs={24} md={12} xl={8}>
                      <Card size="small" title={curve.label}>
                        <CurveChart curve={curve} f={f} />
                      </Card>
                    </Col>
                  ))}
                </Row>
                <Card
                  title={whatIf ? "What-if allocation" : "Recommended allocation"}
                  extra={
                    <Space>
                      <Button icon={<DownloadOutlined />} href={recommendationCsvUrl(r.id)}>
                        CSV
                      </Button>
                      {canEdit &&
                        (applied ? (
                          <Tooltip title="Delete the budgets it created and restore the amounts it changed">
                            <Button icon={<RollbackOutlined />} loading={undo.isPending} onClick={() => undo.mutate(r.id)}>
                              Undo
                            </Button>
                          </Tooltip>
                        ) : (
                          <Button
                            type="primary"
                            icon={<CheckOutlined />}
                            loading={apply.isPending}
                            disabled={Boolean(whatIf)}
                            onClick={() => apply.mutate(r.id)}
                          >
                            Apply as next month's budgets
                          </Button>
                        ))}
                    </Space>
                  }
                >
                  <DataTable<RecommendationItem>
                    rows={result.items}
                    columns={columns(f, result.currency)}
                    rowKey={(i) => i.key}
                    csvName={`recommendation_${r.id}`}
                  />
                </Card>
              </Space>
            );
        }}
      </QueryView>
    </div>
  );
}
