/** Budget alerts: open and past, with acknowledge and snooze for finance and admin. */
import { useState } from "react";
import { App, Button, Card, DatePicker, Descriptions, Popover, Segmented, Space, Tag, Tooltip, Typography } from "antd";
import { CheckOutlined, ClockCircleOutlined } from "@ant-design/icons";
import dayjs, { type Dayjs } from "dayjs";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { acknowledgeAlert, fetchAlerts, queryKeys, snoozeAlert, type AlertFilter } from "../api";
import type { Alert } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { can } from "../auth/permissions";
import { DataTable, type DataColumn } from "../components/DataTable";
import { EmptyState, QueryView } from "../components/QueryView";
import { csvFileName } from "../lib/csv";
import { userTimeZone } from "../lib/format";
import { useFormat, type Formatters } from "../state/useFormat";
import { SeverityTag } from "./alerts/SeverityTag";
import { useRuleLabel } from "./alerts/rules";
import { scopeLabel } from "./budgets/model";
import { useNoOpenAlertsText } from "./alerts/noAlerts";


/** The list's tabs: which alerts each shows, in words. */
export const TABS: { value: AlertFilter; label: string; help: string }[] = [
  { value: "unresolved", label: "Active", help: "Raised and not resolved yet, mailed or not" },
  { value: "notified", label: "Active, mailed", help: "Active alerts whose mail has gone out" },
  { value: "resolved", label: "Resolved", help: "Alerts whose cause has gone (or whose budget was changed or deleted)" },
  { value: "all", label: "All", help: "Every alert, active and resolved" },
];

/** An alert's state as the list names it. */
const STATES: Record<string, { label: string; help: string }> = {
  open: { label: "not mailed", help: "Active: raised, and no mail about it has gone out yet" },
  notified: { label: "mailed", help: "Active: raised and mailed to the budget's recipients; not resolved yet" },
  resolved: { label: "resolved", help: "Its cause has gone" },
};

function isSnoozed(a: Alert, now = dayjs()) {
  return Boolean(a.snoozed_until && dayjs(a.snoozed_until).isAfter(now));
}

function SnoozeButton({ alert, onSnooze }: { alert: Alert; onSnooze: (until: string) => void }) {
  const [open, setOpen] = useState(false);
  const choose = (d: Dayjs) => {
    onSnooze(d.toISOString());
    setOpen(false);
  };
  const content = (
    <Space direction="vertical">
      <Space wrap>
        <Button size="small" onClick={() => choose(dayjs().add(1, "day"))}>
          1 day
        </Button>
        <Button size="small" onClick={() => choose(dayjs().add(3, "day"))}>
          3 days
        </Button>
        <Button size="small" onClick={() => choose(dayjs().add(1, "week"))}>
          1 week
        </Button>
      </Space>
      <DatePicker
        showTime={{ format: "HH:mm" }}
        format="MMM D, YYYY HH:mm"
        placeholder="Until…"
        disabledDate={(d) => d.isBefore(dayjs(), "day")}
        onOk={(d) => d && choose(d)}
      />
    </Space>
  );
  return (
    <Popover title="Snooze until" trigger="click" open={open} onOpenChange={setOpen} content={content}>
      <Tooltip title={isSnoozed(alert) ? "Snooze again" : "Snooze"}>
        <Button size="small" icon={<ClockCircleOutlined />} aria-label={`Snooze alert ${alert.id}`} />
      </Tooltip>
    </Popover>
  );
}

function Figures({ alert, f }: { alert: Alert; f: Formatters }) {
  const entries = Object.entries(alert.figures ?? {});
  return (
    <Descriptions size="small" column={{ xs: 1, md: 3 }} bordered>
      <Descriptions.Item label="Scope">{typeof alert.scope === "string" ? alert.scope : scopeLabel(alert.scope)}</Descriptions.Item>
      <Descriptions.Item label="Period">{alert.period ?? "—"}</Descriptions.Item>
      <Descriptions.Item label="Mailed">{f.zonedDateTime(alert.notified_at)}</Descriptions.Item>
      <Descriptions.Item label="What happened" span={3}>
        {alert.message}
      </Descriptions.Item>
      {entries.map(([k, v]) => (
        <Descriptions.Item key={k} label={k.replace(/_/g, " ")}>
          <span className="num">{typeof v === "number" ? f.number(v) : typeof v === "object" ? JSON.stringify(v) : String(v ?? "—")}</span>
        </Descriptions.Item>
      ))}
    </Descriptions>
  );
}

export default function AlertsPage() {
  const { user } = useAuth();
  const canAct = can(user?.role, "actOnAlerts");
  const { message } = App.useApp();
  const f = useFormat();
  const queryClient = useQueryClient();
  const [state, setState] = useState<AlertFilter>("unresolved");
  const ruleLabel = useRuleLabel();
  const alerts = useQuery({ queryKey: queryKeys.alerts(state), queryFn: ({ signal }) => fetchAlerts(state, signal) });
  const noOpenAlerts = useNoOpenAlertsText();
  const zone = userTimeZone();

  const done = (text: string) => {
    message.success(text);
    void queryClient.invalidateQueries({ queryKey: queryKeys.alertsAll });
  };
  const acknowledge = useMutation({
    mutationFn: (id: number) => acknowledgeAlert(id),
    onSuccess: () => done("Alert acknowledged"),
    onError: (err) => message.error(err.message),
  });
  const snooze = useMutation({
    mutationFn: ({ id, until }: { id: number; until: string }) => snoozeAlert(id, until),
    onSuccess: (_, { until }) => done(`Snoozed until ${f.zonedDateTime(until)}`),
    onError: (err) => message.error(err.message),
  });

  const columns: DataColumn<Alert>[] = [
    {
      key: "severity",
      title: "Severity",
      value: (a) => a.severity,
      filterable: true,
      render: (a) => <SeverityTag severity={a.severity} />,
    },
    {
      key: "created_at",
      title: "Raised",
      help: `When the alert was raised, in your time zone (${zone})`,
      value: (a) => a.created_at,
      render: (a) => <span className="num" style={{ display: "inline-block", maxWidth: 100, whiteSpace: "normal" }}>{f.zonedDateTime(a.created_at)}</span>,
    },
    { key: "rule", title: "Rule", value: (a) => a.rule, filterable: true, filterLabel: ruleLabel, render: (a) => ruleLabel(a.rule) },
    {
      key: "budget_name",
      title: "Budget",
      value: (a) => a.budget_name ?? "",
      filterable: true,
      render: (a) => <div style={{ maxWidth: 150 }}>{a.budget_name}</div>,
    },
    {
      key: "message",
      title: "What happened",
      help: "The alert in a line; expand the row for the whole message and its figures",
      value: (a) => a.summary || a.message,
      render: (a) => (
        <Space direction="vertical" size={0} style={{ minWidth: 240, maxWidth: 320 }}>
          <span title={a.message}>{a.summary || a.message}</span>
          {a.provisional && (
            <Tooltip title="Based on days the platform may still restate">
              <Tag color="purple" bordered={false}>
                provisional data
              </Tag>
            </Tooltip>
          )}
        </Space>
      ),
    },
    {
      key: "state",
      title: "State",
      value: (a) => a.state,
      filterable: true,
      render: (a) => (
        <Space direction="vertical" size={0}>
          <Tooltip title={STATES[a.state]?.help}>
            <Tag color={a.state === "resolved" ? "default" : a.state === "notified" ? "blue" : "orange"} bordered={false}>
              {STATES[a.state]?.label ?? a.state}
            </Tag>
          </Tooltip>
          {a.acknowledged_at && (
            <Typography.Text type="secondary" style={{ fontSize: 12, display: "inline-block", maxWidth: 130, whiteSpace: "normal" }}>
              acknowledged {f.zonedDateTime(a.acknowledged_at)}
            </Typography.Text>
          )}
          {isSnoozed(a) && (
            <Typography.Text type="secondary" style={{ fontSize: 12, display: "inline-block", maxWidth: 130, whiteSpace: "normal" }}>
              snoozed until {f.zonedDateTime(a.snoozed_until)}
            </Typography.Text>
          )}
        </Space>
      ),
    },
  ];
  if (state === "resolved" || state === "all") {
    columns.push({ key: "resolved_at", title: "Resolved", value: (a) => a.resolved_at, render: (a) => f.zonedDateTime(a.resolved_at) });
  }
  if (canAct) {
    columns.push({
      key: "actions",
      title: "",
      value: () => null,
      sortable: false,
      exportable: false,
      fixed: "right",
      render: (a) =>
        a.state === "resolved" ? null : (
          <Space size={4} onClick={(e) => e.stopPropagation()}>
            <Tooltip title={a.acknowledged_at ? "Acknowledged" : "Acknowledge"}>
              <Button
                size="small"
                icon={<CheckOutlined />}
                disabled={Boolean(a.acknowledged_at)}
                loading={acknowledge.isPending && acknowledge.variables === a.id}
                onClick={() => acknowledge.mutate(a.id)}
                aria-label={`Acknowledge alert ${a.id}`}
              />
            </Tooltip>
            <SnoozeButton alert={a} onSnooze={(until) => snooze.mutate({ id: a.id, until })} />
          </Space>
        ),
    });
  }

  return (
    <div>
      <div className="page-toolbar">
        <Segmented
          value={state}
          onChange={(v) => setState(v as AlertFilter)}
          options={TABS.map((t) => ({ value: t.value, label: <span title={t.help}>{t.label}</span> }))}
        />
        <Typography.Text type="secondary" data-testid="alerts-zone">
          Times in your time zone, {zone}
        </Typography.Text>
      </div>
      <Card>
        <QueryView
          query={alerts}
          isEmpty={(d: Alert[]) => d.length === 0}
          empty={<EmptyState description={state === "unresolved" ? noOpenAlerts : "No alerts here."} />}
        >
          {(list: Alert[]) => (
            <DataTable<Alert>
              rows={list}
              columns={columns}
              rowKey={(a) => String(a.id)}
              defaultSort={{ key: "created_at", order: "descend" }}
              csvName={csvFileName("alerts", state)}
              expandable={{ expandedRowRender: (a) => <Figures alert={a} f={f} /> }}
            />
          )}
        </QueryView>
      </Card>
    </div>
  );
}
