/** Model versions (LTV and churn) with their metrics; train a new version and activate one. An
 * activation is carried out by a worker: the version shows "activating" until it is active. */
import { useState } from "react";
import { Alert, App, Button, Card, DatePicker, Form, InputNumber, Modal, Space, Table, Tag, Tooltip, Typography } from "antd";
import { CheckCircleOutlined, ExperimentOutlined, LoadingOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import dayjs, { type Dayjs } from "dayjs";
import { activateModelVersion, fetchModelVersions, queryKeys, trainModel } from "../../api";
import type { ModelVersion } from "../../api/types";
import { QueryView, EmptyState } from "../../components/QueryView";
import { toIsoDay } from "../../lib/dates";
import { useFormat } from "../../state/useFormat";
import { headlineMetrics, MetricsView } from "./models/MetricsView";

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

function TrainModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ as_of: Dayjs | null; holdout_days: number | null }>();
  const train = useMutation({
    mutationFn: (values: { as_of: Dayjs | null; holdout_days: number | null }) =>
      trainModel({ as_of: values.as_of ? toIsoDay(values.as_of) : null, holdout_days: values.holdout_days ?? null }),
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
        Fits the LTV and churn models on the loaded customers and revenue, measures them on the most recent days (the
        holdout), and makes the new versions active when done. It runs in the background.
      </Typography.Paragraph>
      <Form form={form} layout="vertical" preserve={false} onFinish={(values) => train.mutate(values)}>
        <Form.Item name="as_of" label="Data through" tooltip="Empty: yesterday">
          <DatePicker disabledDate={(d) => d.isAfter(dayjs(), "day")} placeholder="yesterday" style={{ width: 200 }} />
        </Form.Item>
        <Form.Item name="holdout_days" label="Holdout days" tooltip="Days kept aside to measure the version; empty: the default">
          <InputNumber min={7} max={365} placeholder="default" style={{ width: 200 }} />
        </Form.Item>
      </Form>
      {train.isError && <Alert type="error" showIcon message={train.error.message} />}
    </Modal>
  );
}

export default function ModelsPage() {
  const f = useFormat();
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
          The dashboards read the active version of each kind. Activating another one rewrites every customer’s
          predictions in the background.
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
                  width: 220,
                  render: (_, v) => (
                    <Space direction="vertical" size={0}>
                      <span>
                        <strong>#{v.id}</strong> <Tag>{v.kind.toUpperCase()}</Tag>
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
                  width: 190,
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
                  width: 170,
                  render: (_, v) => (v.trained_at ? f.dateTime(v.trained_at) : <Typography.Text type="secondary">—</Typography.Text>),
                },
                {
                  key: "windows",
                  title: "Fitted on · measured on",
                  width: 250,
                  render: (_, v) =>
                    v.training_start ? (
                      <Space direction="vertical" size={0}>
                        <span className="num">
                          {f.shortDate(v.training_start)} – {f.date(v.training_end)}
                        </span>
                        {v.holdout_start && (
                          <Typography.Text type="secondary" className="num" style={{ fontSize: 12 }}>
                            holdout {f.shortDate(v.holdout_start)} – {f.date(v.holdout_end)}
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
                      <span className="num">{headlineMetrics(v.metrics) || "—"}</span>
                    ),
                },
                {
                  key: "actions",
                  title: "",
                  width: 120,
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
