/** A KPI: the value for the range and its change against the previous range of equal length. */
import { Card, Skeleton, Tooltip, Typography } from "antd";
import { ArrowDownOutlined, ArrowUpOutlined, QuestionCircleOutlined } from "@ant-design/icons";
import { formatDelta, type Numeric } from "../lib/format";
import { useReport } from "../state/report";

export type Goodness = "up" | "down" | "neutral";

interface KpiCardProps {
  title: string;
  current: Numeric;
  previous: Numeric;
  format: (value: Numeric) => string;
  /** Which direction is good news: revenue up, CPI down, spend neither. */
  good: Goodness;
  help?: string;
  loading?: boolean;
}

export function KpiCard({ title, current, previous, format, good, help, loading }: KpiCardProps) {
  const { locale } = useReport();
  const delta = formatDelta(current, previous, { locale });
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
          <Tooltip title={`Previous period of equal length: ${format(previous)}`}>
            <div className={`kpi-delta kpi-delta-${tone}`}>
              {delta.direction === "up" && <ArrowUpOutlined />}
              {delta.direction === "down" && <ArrowDownOutlined />}
              <span>{delta.text}</span>
              <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 400 }}>
                vs prior
              </Typography.Text>
            </div>
          </Tooltip>
        </>
      )}
    </Card>
  );
}
