/** A KPI: the value for the range and its change against the previous range of equal length. */
import type { ReactNode } from "react";
import { Card, Skeleton, Tooltip, Typography } from "antd";
import { ArrowDownOutlined, ArrowUpOutlined, QuestionCircleOutlined } from "@ant-design/icons";
import { formatDelta, type Numeric } from "../lib/format";
import { useReport } from "../state/report";

export type Goodness = "up" | "down" | "neutral";

/** What the delta compares when it is not the card's own value against the previous range's
 * (revenue of cohorts of different ages is compared at the same age). */
export interface KpiComparison {
  current: Numeric;
  previous: Numeric;
  /** After the delta, e.g. "vs prior at 7 days". */
  label: string;
  tooltip: ReactNode;
}

interface KpiCardProps {
  title: string;
  current: Numeric;
  previous: Numeric;
  format: (value: Numeric) => string;
  /** Which direction is good news: revenue up, CPI down, spend neither. */
  good: Goodness;
  help?: string;
  loading?: boolean;
  comparison?: KpiComparison;
  /** A line under the value (e.g. how far to trust a prediction). */
  note?: ReactNode;
}

export function KpiCard({ title, current, previous, format, good, help, loading, comparison, note }: KpiCardProps) {
  const { locale } = useReport();
  const compared = comparison ?? {
    current,
    previous,
    label: "vs prior",
    tooltip: `Previous period of equal length: ${format(previous)}`,
  };
  const delta = formatDelta(compared.current, compared.previous, { locale });
  const tone =
    delta.direction === "none" || delta.direction === "flat" || good === "neutral"
      ? "neutral"
      : (delta.direction === "up") === (good === "up")
        ? "good"
        : "bad";
  return (
    <Card className="kpi-card" size="small" data-testid={`kpi-${title}`}>
      <div className="kpi-title">
        {title}
        {help && (
          <Tooltip title={help}>
            <QuestionCircleOutlined style={{ marginLeft: 6, color: "#adb5bd" }} />
          </Tooltip>
        )}
      </div>
      {loading ? (
        <Skeleton active title={false} paragraph={{ rows: 2 }} />
      ) : (
        <>
          <div className="kpi-value num">{format(current)}</div>
          {note}
          <Tooltip title={compared.tooltip}>
            <div className={`kpi-delta kpi-delta-${tone}`} data-testid={`kpi-delta-${title}`}>
              {delta.direction === "up" && <ArrowUpOutlined />}
              {delta.direction === "down" && <ArrowDownOutlined />}
              {(delta.direction !== "none" || !comparison) && <span>{delta.text}</span>}
              <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 400 }}>
                {compared.label}
              </Typography.Text>
            </div>
          </Tooltip>
        </>
      )}
    </Card>
  );
}
