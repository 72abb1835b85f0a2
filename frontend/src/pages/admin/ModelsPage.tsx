/** Model versions (LTV, churn and first purchase) with their metrics; train a new version and
 * activate one. An activation is carried out by a worker: the version shows "activating" until it is active. */
import { useState } from "react";
import { Alert, App, Button, Card, DatePicker, Form, InputNumber, Modal, Radio, Space, Table, Tag, Tooltip, Typography } from "antd";
import { CheckCircleOutlined, ExperimentOutlined, LoadingOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import dayjs, { type Dayjs } from "dayjs";
import { activateModelVersion, fetchModelVersions, queryKeys, trainFirstPurchaseModel, trainModel } from "../../api";
import type { ModelVersion } from "../../api/types";
import { QueryView, EmptyState } from "../../components/QueryView";
import { toIsoDay } from "../../lib/dates";
import { useFormat } from "../../state/useFormat";
import { headlineMetrics, MetricsView } from "./models/MetricsView";

const KIND_LABELS: Record<string, string> = { ltv: "LTV", churn: "CHURN", first_purchase: "FIRST PURCHASE" };

export type VersionState = "training" | "failed" | "active" | "activating" | "ready";

/** What a version is now. Of the requests of a kind only the latest is carried out. */
export function versionState(version: ModelVersion, all: ModelVersion[]): VersionState {
  if (version.status === "training") return "training";
  if (version.status === "failed") return "failed";
  if (version.is_active) return "active";
  const requested = version.activation_requested_at;
  if (requested) {
    const overtaken = all.some(
      (v) => v.kind === version.kind && v.id !== version.id && v.activation_requested_at && v.activation_requested_at > requested,
    );
    if (!overtaken) return "activating";
  }
  return "ready";
}

const STATE_TAGS: Record<VersionState, { color: string; label: string }> = {
  training: { color: "processing", label: "training…" },
  failed: { color: "error", label: "failed" },
  active: { color: "success", label: "active" },
  activating: { color: "processing", label: "activation requested…" },
  ready: { color: "default", label: "ready" },
};

type TrainValues = { kind: "ltv" | "first_purchase"; as_of: Dayjs | null; holdout_days: number | null };

function TrainModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<TrainValues>();
  const kind = Form.useWatch("kind", form) ?? "ltv";
  const train = useMutation({
    mutationFn: (values: TrainValues) => {
      const asOf = values.as_of ? toIsoDay(values.as_of) : null;
      return values.kind === "first_purchase"
        ? trainFirstPurchaseModel({ as_of: asOf })
        : trainModel({ as_of: asOf, holdout_days: values.holdout_days ?? null });
    },
    onSuccess: (version) => {
      message.success(`Training of version ${version.id} queued`);
      void queryClient.invalidateQueries({ queryKey: queryKeys.modelVersions });
      onClose();
    },
  });
  return (
    <Modal
      title="Train a new model version"
      open={open}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText="Start training"
      confirmLoading={train.isPending}
      destroyOnClose
    >
      <Typography.Paragraph type="secondary">
        {kind === "first_purchase"
          ? "Fits the first-purchase model on the customers' first-day and third-day in-app events, backtests it at rolling origins (AUC, Brier, expected payers at D1 and D3), scores the customers of the last 30 days and makes the new version active when done. It also runs after every LTV training."
          : "Fits the LTV and churn models on the loaded customers and revenue, measures them on the most recent days (the holdout), and makes the new versions active when done. The first-purchase model is trained after them."}{" "}
        It runs in the background.
      </Typography.Paragraph>
      <Form form={form} layout="vertical" preserve={false} initialValues={{ kind: "ltv" }} onFinish={(values) => train.mutate(values)}>
        <Form.Item name="kind" label="Model">
          <Radio.Group
            options={[
              { value: "ltv", label: "LTV and churn" },
              { value: "first_purchase", label: "First purchase" },
            ]}
          />
        </Form.Item>
        <Form.Item name="as_of" label="Data through" tooltip="Empty: yesterday">
          <DatePicker disabledDate={(d) => d.isAfter(dayjs(), "day")} placeholder="yesterday" style={{ width: 200 }} />
        </Form.Item>
        {kind === "ltv" && (
          <Form.Item name="holdout_days" label="Holdout days" tooltip="Days kept aside to measure the version; empty: the default">
            <InputNumber min={7} max={365} placeholder="default" style={{ width: 200 }} />
          </Form.Item>
        )}
      </Form>
      {train.isError && <Alert type="error" showIcon message={train.error.message} />}
    </Modal>
  );
}

/** A first-purchase version's backtest in a line: per feature age, the AUC and the errors of
 * expected payers and early predicted ROAS (30 days), the median per weekly cohort (a version
 * stored before the median was kept shows none). */
export function firstPurchaseHeadline(metrics: Record<string, unknown>): string | null {
  const byAge = metrics.by_age as Record<string, Record<string, number | null>> | undefined;
  if (!byAge) return null;
  const parts = Object.entries(byAge).map(([age, m]) => {
    const bits = [];
    if (m.auc_30 != null) bits.push(`AUC ${m.auc_30.toFixed(2)}`);
    if (m.brier_30 != null) bits.push(`Brier ${m.brier_30.toFixed(3)}`);
    if (m.expected_payers_err_p50_pct_30 != null) bits.push(`payers ±${m.expected_payers_err_p50_pct_30.toFixed(1)}% (median)`);
    if (m.predicted_roas_err_p50_pct_30 != null) bits.push(`ROAS ±${m.predicted_roas_err_p50_pct_30.toFixed(1)}% (median)`);
    return `${age}: ${bits.join(", ")}`;
  });
  return parts.length ? parts.join(" · ") : null;
}

export default function ModelsPage() {
  const f = useFormat();
  // a span's start carries its year when the span crosses one ("Nov 1, 2025 – Sep 7, 2026")
  const spanStart = (start: string, end: string | null) =>
    end && start.slice(0, 4) !== end.slice(0, 4) ? f.date(start) : f.shortDate(start);
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [training, setTraining] = useState(false);
  const versions = useQuery({
    queryKey: queryKeys.modelVersions,
    queryFn: ({ signal }) => fetchModelVersions(signal),
    refetchInterval: (query) => {
      const all = query.state.data ?? [];
      return all.some((v) => ["training", "activating"].includes(versionState(v, all))) ? 2_000 : 60_000;
    },
  });
  const activate = useMutation({
    mutationFn: (version: ModelVersion) => activateModelVersion(version.id),
    onSuccess: (version) => {
      message.info(`Activation of version ${version.id} requested; a worker is rewriting the predictions`);
      void queryClient.invalidateQueries({ queryKey: queryKeys.modelVersions });
    },
    onError: (err) => message.error((err as Error).message),
  });
  const all = versions.data ?? [];

  return (
    <div>
      <div className="page-toolbar">
        <Typography.Text type="secondary">
          The dashboards read the active version of each kind. Activating another one sums its predictions in the
          background (under a minute for a million customers); the dashboards switch to them at once when it is done.
        </Typography.Text>
        <Button type="primary" icon={<ExperimentOutlined />} onClick={() => setTraining(true)}>
          Train new version
        </Button>
      </div>
      <Card>
        <QueryView
          query={versions}
          isEmpty={(d: ModelVersion[]) => d.length === 0}
          empty={<EmptyState description="No model version yet. Load customers and revenue, then train one." />}
        >
          {(data: ModelVersion[]) => (
            <Table<ModelVersion>
              data-testid="model-versions"
              size="middle"
              rowKey="id"
              dataSource={data}
              pagination={false}
              expandable={{
                expandedRowRender: (v) => (
                  <div className="metrics-expanded" data-testid={`version-metrics-${v.id}`}>
                    {v.status === "failed" ? (
                      <Alert type="error" showIcon message="The training failed" description={<div className="sync-error">{String(v.metrics.error ?? "")}</div>} />
                    ) : (
                      <MetricsView metrics={v.metrics} />
                    )}
                  </div>
                ),
                expandRowByClick: false,
              }}
              columns={[
                {
                  key: "version",
                  title: "Version",
                  width: 180,
                  render: (_, v) => (
                    <Space direction="vertical" size={0}>
                      <span>
                        <strong>#{v.id}</strong> <Tag>{KIND_LABELS[v.kind] ?? v.kind.toUpperCase()}</Tag>
                      </span>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {v.algorithm} · {v.source}
                      </Typography.Text>
                    </Space>
                  ),
                },
                {
                  key: "state",
                  title: "Status",
                  width: 130,
                  render: (_, v) => {
                    const state = versionState(v, all);
                    const tag = STATE_TAGS[state];
                    return (
                      <Tag
                        data-testid={`version-state-${v.id}`}
                        color={tag.color}
                        icon={state === "training" || state === "activating" ? <LoadingOutlined /> : state === "active" ? <CheckCircleOutlined /> : undefined}
                      >
                        {tag.label}
                      </Tag>
                    );
                  },
                },
                {
                  key: "trained",
                  title: "Trained",
                  width: 150,
                  render: (_, v) => (v.trained_at ? f.dateTime(v.trained_at) : <Typography.Text type="secondary">—</Typography.Text>),
                },
                {
                  key: "windows",
                  title: "Fitted on · measured on",
                  width: 230,
                  render: (_, v) =>
                    v.training_start ? (
                      <Space direction="vertical" size={0}>
                        <span className="num">
                          {spanStart(v.training_start, v.training_end)} – {f.date(v.training_end)}
                        </span>
                        {v.holdout_start && (
                          <Typography.Text type="secondary" className="num" style={{ fontSize: 12 }}>
                            holdout {spanStart(v.holdout_start, v.holdout_end)} – {f.date(v.holdout_end)}
                          </Typography.Text>
                        )}
                      </Space>
                    ) : (
                      <Typography.Text type="secondary">—</Typography.Text>
                    ),
                },
                {
                  key: "metrics",
                  title: (
                    <Tooltip title="Expand a row (+) for every metric the version recorded">Metrics</Tooltip>
                  ),
                  render: (_, v) =>
                    v.status === "failed" ? (
                      <Typography.Text type="danger" ellipsis style={{ maxWidth: 320 }}>
                        {String(v.metrics.error ?? "failed")}
                      </Typography.Text>
                    ) : (
                      // the headline wraps within the page (a first-purchase version's reads long)
                      <span className="num" style={{ whiteSpace: "normal" }} data-testid={`version-headline-${v.id}`}>
                        {(v.kind === "first_purchase" ? firstPurchaseHeadline(v.metrics) : headlineMetrics(v.metrics)) || "—"}
                      </span>
                    ),
                },
                {
                  key: "actions",
                  title: "",
                  width: 100,
                  align: "right",
                  render: (_, v) =>
                    versionState(v, all) === "ready" ? (
                      <Button
                        size="small"
                        aria-label={`Activate version ${v.id}`}
                        loading={activate.isPending && activate.variables?.id === v.id}
                        onClick={() => activate.mutate(v)}
                      >
                        Activate
                      </Button>
                    ) : null,
                },
              ]}
            />
          )}
        </QueryView>
      </Card>
      <TrainModal open={training} onClose={() => setTraining(false)} />
    </div>
  );
}
