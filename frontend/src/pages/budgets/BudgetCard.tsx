/** One budget: progress against the amount, pace, projection and its measured error. */
import { Button, Card, Col, Popconfirm, Progress, Row, Space, Statistic, Table, Tag, Tooltip, Typography } from "antd";
import { DeleteOutlined, EditOutlined, LineChartOutlined, QuestionCircleOutlined } from "@ant-design/icons";
import type { ReactNode } from "react";
import type { Budget, MapeSet, Pacing } from "../../api/types";
import { toNumber } from "../../lib/format";
import type { Formatters } from "../../state/useFormat";
import { periodLabel, scopeLabel } from "./model";

export type PaceStatus = "on_track" | "over" | "under" | "unknown";

/** Within ±10% of the expected spend is on track. */
export function paceStatus(pacePct: unknown): PaceStatus {
  const p = toNumber(pacePct as never);
  if (p === null) return "unknown";
  if (p > 110) return "over";
  if (p < 90) return "under";
  return "on_track";
}

const PACE_TAGS: Record<PaceStatus, { color: string; label: string }> = {
  on_track: { color: "green", label: "On track" },
  over: { color: "red", label: "Overpacing" },
  under: { color: "gold", label: "Underpacing" },
  unknown: { color: "default", label: "No pacing yet" },
};

/** A figure's name with its explanation as a tooltip (a '?' says there is one). */
function Explained({ label, help }: { label: ReactNode; help: string }) {
  return (
    <Tooltip title={help}>
      <span className="explained">
        {label} <QuestionCircleOutlined style={{ color: "#adb5bd", fontSize: 12 }} />
      </span>
    </Tooltip>
  );
}

/** What each number of a budget card means, in the words a tooltip shows. */
export function pacingHelp(budget: Budget, f: Formatters) {
  const p = budget.pacing;
  const through = p?.as_of ? f.date(p.as_of) : "yesterday";
  const money = (v: unknown) => f.moneyWhole(v as number, budget.currency);
  return {
    spent: `Spend of the budget's scope from the period's first day through ${through}, the last complete day, in ${budget.currency}.`,
    expected: `What an even pace would have spent by ${through}: the budget × days elapsed ÷ days in the period (${money(budget.amount)} × ${p?.elapsed_days ?? "—"} ÷ ${p?.period_days ?? "—"}).`,
    dataThrough:
      "The last day whose spend is in: every account of the scope has reported it. Accounts report late (each closes its day in its own time zone, and a sync fetches a day some hours after it ends), so spend after this day may still be missing and the figures may still rise.",
    pace: "Spend to date ÷ expected to date. 100% is on pace; within 90–110% is on track.",
    projected: `Forecast of the spend at the period's end (${p?.method ?? "—"} method, the one with the smaller backtest error below), with its likely range.`,
    required: `The daily spend over the period's days after ${through} that lands exactly on the budget.`,
    target: "The predicted ROAS the budget's customers should reach; the Predicted ROAS rule alerts when their prediction falls below it.",
  };
}

function MapeTable({ mape, f }: { mape: Pacing["mape"]; f: Formatters }) {
  if (!mape || (!mape.seasonal && !mape.linear)) return null;
  const checkpoints = Array.from(
    new Set([...Object.keys(mape.seasonal ?? {}), ...Object.keys(mape.linear ?? {})]),
  ).sort((a, b) => Number(a.replace(/\D/g, "")) - Number(b.replace(/\D/g, "")));
  const row = (name: string, set: MapeSet | null | undefined) => ({
    key: name,
    method: name,
    ...Object.fromEntries(checkpoints.map((c) => [c, set?.[c]])),
  });
  return (
    <Table
      size="small"
      pagination={false}
      className="mape-table"
      dataSource={[row("Seasonal", mape.seasonal), row("Linear", mape.linear)]}
      columns={[
        { key: "method", dataIndex: "method", title: "Forecast error (MAPE)" },
        ...checkpoints.map((c) => ({
          key: c,
          dataIndex: c,
          align: "right" as const,
          title: (
            <Tooltip title={`Error of the period-end forecast made on day ${c.replace(/\D/g, "")} of past periods`}>
              day {c.replace(/\D/g, "")}
            </Tooltip>
          ),
          render: (v: unknown) => <span className="num">{f.ratioPercent(v as number)}</span>,
        })),
      ]}
    />
  );
}

interface BudgetCardProps {
  budget: Budget;
  f: Formatters;
  canEdit: boolean;
  names: { accounts?: Map<string, string> };
  onEdit: () => void;
  onDelete: () => void;
  onShowChart: () => void;
}

export function BudgetCard({ budget, f, canEdit, names, onEdit, onDelete, onShowChart }: BudgetCardProps) {
  const p = budget.pacing;
  const amount = toNumber(budget.amount);
  const spent = toNumber(p?.spend_to_date);
  const expected = toNumber(p?.expected_to_date);
  const share = amount && spent !== null ? (spent / amount) * 100 : null;
  const expectedShare = amount && expected !== null ? Math.min(100, (expected / amount) * 100) : null;
  const status = paceStatus(p?.pace_pct);
  const projectedOver = amount !== null && toNumber(p?.projected) !== null && toNumber(p?.projected)! > amount;
  const money = (v: unknown) => f.moneyWhole(v as number, budget.currency);
  const help = pacingHelp(budget, f);
  const late = Boolean(p?.data_through && p?.as_of && p.data_through < p.as_of);

  return (
    <Card
      className="budget-card"
      data-testid={`budget-${budget.id}`}
      title={
        <Space direction="vertical" size={0}>
          <span>{budget.name}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 400 }}>
            {scopeLabel(budget.scope, names)} · {periodLabel(budget.period_start, budget.period, f.locale)}
          </Typography.Text>
        </Space>
      }
      extra={
        <Space size={4}>
          <Tag color={PACE_TAGS[status].color}>{PACE_TAGS[status].label}</Tag>
          <Tooltip title="Pacing chart">
            <Button type="text" icon={<LineChartOutlined />} onClick={onShowChart} aria-label="Pacing chart" />
          </Tooltip>
          {canEdit && (
            <>
              <Tooltip title="Edit budget and alert rules">
                <Button type="text" icon={<EditOutlined />} onClick={onEdit} aria-label="Edit budget" />
              </Tooltip>
              <Popconfirm
                title="Delete this budget?"
                description="Its alert rules stop; past alerts stay in the history."
                okText="Delete"
                okButtonProps={{ danger: true }}
                onConfirm={onDelete}
              >
                <Button type="text" danger icon={<DeleteOutlined />} aria-label="Delete budget" />
              </Popconfirm>
            </>
          )}
        </Space>
      }
    >
      <div style={{ display: "flex", justifyContent: "space-between", alignItems: "baseline", marginBottom: 4 }}>
        <span>
          <span className="kpi-value num" style={{ fontSize: 22 }}>
            {money(p?.spend_to_date)}
          </span>
          <Typography.Text type="secondary"> of {money(budget.amount)}</Typography.Text>
        </span>
        <Typography.Text type="secondary" className="num">
          <Explained label={`${share === null ? "—" : f.percent(share, 0)} spent`} help={`Spend to date ÷ the budget (${money(budget.amount)}).`} />
        </Typography.Text>
      </div>
      <div className="pace-bar">
        <Progress
          percent={share === null ? 0 : Math.min(100, share)}
          showInfo={false}
          strokeColor={share !== null && share > 100 ? "#e03131" : status === "over" ? "#f76707" : "#3b5bdb"}
          aria-label="Share of the budget spent"
        />
        {expectedShare !== null && (
          <Tooltip title={`Expected by today: ${money(p?.expected_to_date)}`}>
            <span className="pace-marker" style={{ left: `calc(${expectedShare}% - 1px)` }} />
          </Tooltip>
        )}
      </div>
      {p && (
        <div className="budget-to-date" data-testid="budget-to-date">
          <span>
            <Explained label="Spent to date" help={help.spent} />{" "}
            <strong className="num">{money(p.spend_to_date)}</strong>
          </span>
          <span>
            <Explained label={p.as_of ? `Expected by ${f.shortDate(p.as_of)}` : "Expected to date"} help={help.expected} />{" "}
            <strong className="num">{money(p.expected_to_date)}</strong>
          </span>
          {p.data_through && (
            <Typography.Text type={late ? "warning" : "secondary"}>
              <Explained label={`Data through ${f.date(p.data_through)}`} help={help.dataThrough} />
            </Typography.Text>
          )}
        </div>
      )}
      <Row gutter={[16, 12]} style={{ marginTop: 12 }}>
        <Col xs={12} md={6}>
          <Statistic
            title={<Explained label="Pace" help={help.pace} />}
            value={f.percent(p?.pace_pct, 0)}
            valueStyle={{ fontSize: 18, color: status === "over" ? "#e03131" : undefined }}
          />
        </Col>
        <Col xs={12} md={6}>
          <Statistic
            title={<Explained label="Projected" help={help.projected} />}
            value={money(p?.projected)}
            valueStyle={{ fontSize: 18, color: projectedOver ? "#e03131" : undefined }}
          />
          <Typography.Text type="secondary" style={{ fontSize: 12 }} className="num">
            {toNumber(p?.projected_low) !== null ? `${money(p?.projected_low)} – ${money(p?.projected_high)}` : ""}
          </Typography.Text>
        </Col>
        <Col xs={12} md={6}>
          <Statistic
            title={<Explained label="Required / day" help={help.required} />}
            value={money(p?.required_daily)}
            valueStyle={{ fontSize: 18 }}
          />
        </Col>
        <Col xs={12} md={6}>
          <Statistic
            title={<Explained label="Target ROAS" help={help.target} />}
            value={toNumber(budget.target_roas) === null ? "—" : f.roas(budget.target_roas)}
            valueStyle={{ fontSize: 18 }}
          />
        </Col>
      </Row>
      {p?.method && (
        <div style={{ marginTop: 12 }}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            Forecast method: <Tag bordered={false}>{p.method}</Tag>
          </Typography.Text>
          <MapeTable mape={p.mape} f={f} />
        </div>
      )}
      {!p && <Typography.Text type="secondary">No pacing yet: the period has not started or there is no spend.</Typography.Text>}
    </Card>
  );
}
