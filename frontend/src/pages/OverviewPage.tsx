/** The morning view: KPIs against the previous period, spend and revenue by channel over time,
 * open alerts and how fresh each account's data is. */
import { useState } from "react";
import { Link } from "react-router";
import { Badge, Card, Col, List, Row, Segmented, Space, Tag, Typography } from "antd";
import { useQuery } from "@tanstack/react-query";
import { fetchAlerts, fetchOverview, queryKeys } from "../api";
import type { Alert, FreshnessEntry, Overview } from "../api/types";
import { KpiCard, type KpiComparison } from "../components/KpiCard";
import { SUSPECT_DEFINITION } from "./channels/columns";
import { TrustNote } from "../components/TrustNote";
import { EmptyState, ErrorState, QueryView } from "../components/QueryView";
import { EChart, AXIS, type EChartsOption } from "../components/charts/EChart";
import { PlatformTag } from "../components/PlatformTag";
import { FreshnessBadge } from "../components/Freshness";
import { platformColor, platformLabel } from "../lib/platforms";
import { previousRange } from "../lib/dates";
import { useDateRange, useRangeSearch, useReportedCurrency } from "../state/report";
import { useFormat, type Formatters } from "../state/useFormat";
import { channelSeries, partialDays, type SeriesMetric } from "./overview/series";
import { expectedPayersCard, predictedRoasCard, type KpiCardSpec } from "./overview/predicted";
import { can } from "../auth/permissions";
import { useAuth } from "../auth/AuthContext";
import { SeverityTag } from "./alerts/SeverityTag";
import { useRuleLabel } from "./alerts/rules";
import { useNoOpenAlertsText } from "./alerts/noAlerts";

const YOUNG_SHADE = "rgba(134, 142, 150, 0.12)";

export function trendOption(data: Overview, metric: SeriesMetric, f: Formatters): EChartsOption {
  const age = data.comparable?.days ?? 7;
  const s = channelSeries(data.series, metric, data.comparable?.through ?? null);
  const fmt = (v: number) => (metric === "roas" ? f.ratioPercent(v, 0) : f.moneyAxis(v));
  const stacked = metric !== "roas";
  const young = metric === "spend" ? [] : s.young;
  const partial = partialDays(s.dates, data.freshness.map((e) => e.data_through));
  const shade =
    young.length > 0
      ? {
          silent: true,
          itemStyle: { color: YOUNG_SHADE },
          label: {
            show: true,
            position: "insideTop" as const,
            color: "#868e96",
            fontSize: 11,
            formatter: young.length >= 3 ? `Under ${age} days old` : "",
          },
          data: [[{ xAxis: young[0] }, { xAxis: young[young.length - 1] }]] as never,
        }
      : partial.length > 0
        ? {
            silent: true,
            itemStyle: { color: YOUNG_SHADE },
            label: { show: true, position: "insideTopRight" as const, color: "#868e96", fontSize: 11, formatter: "Not every account has reported" },
            // from the last day every account reported: the line's fall into the partial days is shaded
            data: [[{ xAxis: s.dates[Math.max(s.dates.indexOf(partial[0]) - 1, 0)] }, { xAxis: partial[partial.length - 1] }]] as never,
          }
        : undefined;
  return {
    tooltip: {
      trigger: "axis",
      valueFormatter: (v) => (v === null || v === undefined ? "—" : metric === "roas" ? f.roas(v as number) : f.money(v as number)),
    },
    grid: { top: 36 },
    xAxis: {
      type: "category",
      data: s.dates,
      boundaryGap: false,
      ...AXIS,
      axisLabel: { ...AXIS.axisLabel, formatter: (v: string) => f.shortDate(v) },
    },
    yAxis: {
      type: "value",
      ...AXIS,
      // ticks at least 1% apart, so that whole percents never repeat (0%, 0%, 1%)
      ...(metric === "roas" ? { minInterval: 0.01 } : {}),
      axisLabel: { ...AXIS.axisLabel, formatter: fmt },
    },
    series: s.platforms.map((p, i) => ({
      name: platformLabel(p),
      type: "line",
      stack: stacked ? "total" : undefined,
      smooth: 0.25,
      showSymbol: false,
      connectNulls: false,
      data: s.values[p],
      lineStyle: { width: 2, color: platformColor(p, i) },
      itemStyle: { color: platformColor(p, i) },
      areaStyle: stacked ? { opacity: 0.18, color: platformColor(p, i) } : undefined,
      emphasis: { focus: "series" },
      markArea: i === 0 ? shade : undefined,
    })),
  };
}

/** The deltas of revenue and ROAS compare both ranges at the same cohort age. */
function atAge(data: Overview, key: "revenue" | "roas", f: Formatters): KpiComparison {
  const c = data.comparable;
  const age = c?.days ?? 7;
  const value = key === "roas" ? f.roas : f.moneyWhole;
  const what = key === "roas" ? "ROAS" : "revenue";
  if (!c?.current || !c.previous) {
    return {
      current: null,
      previous: null,
      label: `too recent to compare (under ${age} days old)`,
      tooltip: `No customer of this range has been acquired ${age} days ago yet. Revenue to date is not compared with the previous range, whose customers have had longer to pay.`,
    };
  }
  return {
    current: c.current[key],
    previous: c.previous[key],
    label: `vs prior, first ${age} days`,
    tooltip: (
      <>
        Like with like: {what} of each customer&apos;s first {age} days, for customers acquired {f.date(c.current.start)} –{" "}
        {f.date(c.current.end)} ({value(c.current[key])}) against {f.date(c.previous.start)} – {f.date(c.previous.end)} (
        {value(c.previous[key])}). Revenue to date is not compared: the previous range&apos;s customers have had longer to pay.
      </>
    ),
  };
}

/** ROAS without the suspect customers' revenue, under the ROAS, when some customers are suspect. */
function excludingSuspectsNote(kpis: Overview["current"], f: Formatters) {
  const k = kpis as Record<string, unknown>;
  const suspects = Number(k.suspects ?? 0);
  if (!suspects || k.roas_excluding_suspects == null) return undefined;
  return (
    <TrustNote
      text={`${f.roas(k.roas_excluding_suspects as number)} excl. suspect traffic`}
      tooltip={`ROAS excluding suspect traffic: the revenue of the customers who are not suspect ÷ the whole spend. ${f.integer(suspects)} suspect customers (${f.ratioPercent(k.suspect_share as number)} of the customers) and their revenue are left out; the spend is not reduced, since the money was spent. ${SUSPECT_DEFINITION}`}
    />
  );
}

function Kpis({ data, f }: { data: Overview; f: Formatters }) {
  const c = data.current ?? ({} as Overview["current"]);
  const p = data.previous ?? ({} as Overview["previous"]);
  const cards: KpiCardSpec[] = [
    { title: "Spend", key: "spend", format: f.moneyWhole, good: "neutral" as const },
    {
      title: "Revenue",
      key: "revenue",
      format: f.moneyWhole,
      good: "up" as const,
      help: "To date, of the customers acquired in the range: recent customers are still paying",
      comparison: atAge(data, "revenue", f),
    },
    {
      title: "ROAS",
      key: "roas",
      format: f.roas,
      good: "up" as const,
      help: "Revenue to date ÷ spend: it grows as the customers acquired keep paying",
      comparison: atAge(data, "roas", f),
      note: excludingSuspectsNote(c, f),
    },
    predictedRoasCard(c, p, f),
    { title: "Installs", key: "installs", format: f.integer, good: "up" as const },
    { title: "CPI", key: "cpi", format: f.money, good: "down" as const, help: "Cost per install: spend ÷ installs" },
    ...expectedPayersCard(c, f),
  ];
  return (
    <Row gutter={[16, 16]} className="section">
      {cards.map((card) => (
        <Col key={card.key} xs={24} sm={12} lg={8} xl={4}>
          <KpiCard
            title={card.title}
            current={card.value !== undefined ? card.value : c[card.key]}
            previous={card.value !== undefined ? (card.previous ?? null) : p[card.key]}
            format={card.format}
            good={card.good}
            help={card.help}
            comparison={card.comparison}
            note={card.note}
          />
        </Col>
      ))}
    </Row>
  );
}

function OpenAlerts({ count }: { count: number }) {
  const ruleLabel = useRuleLabel();
  const f = useFormat();
  const rangeSearch = useRangeSearch();
  const noOpenAlerts = useNoOpenAlertsText();
  const alerts = useQuery({
    queryKey: queryKeys.alerts("unresolved"),
    queryFn: ({ signal }) => fetchAlerts("unresolved", signal),
  });
  return (
    <Card
      title={
        <Space>
          Open alerts
          <Badge count={count} showZero color={count ? "#e03131" : "#adb5bd"} />
        </Space>
      }
      extra={<Link to={`/alerts${rangeSearch}`}>All alerts</Link>}
      style={{ height: "100%" }}
    >
      <QueryView
        query={alerts}
        compact
        isEmpty={(d: Alert[]) => d.length === 0}
        empty={<EmptyState description={noOpenAlerts} />}
      >
        {(list: Alert[]) => (
          <List
            size="small"
            dataSource={list.slice(0, 5)}
            renderItem={(a) => (
              <List.Item>
                <List.Item.Meta
                  title={
                    <Space size={6}>
                      <SeverityTag severity={a.severity} />
                      <span>{a.budget_name ?? ruleLabel(a.rule)}</span>
                    </Space>
                  }
                  description={
                    <>
                      <div>{a.message}</div>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {f.dateTime(a.created_at)}
                        {a.provisional && " · provisional data"}
                      </Typography.Text>
                    </>
                  }
                />
              </List.Item>
            )}
          />
        )}
      </QueryView>
    </Card>
  );
}

function FreshnessCard({ entries }: { entries: FreshnessEntry[] }) {
  const f = useFormat();
  return (
    <Card title="Data freshness" style={{ height: "100%" }}>
      {entries.length === 0 ? (
        <EmptyState description="No ad accounts yet." />
      ) : (
        <List
          className="freshness-list"
          size="small"
          dataSource={entries}
          renderItem={(e) => (
            <List.Item
              extra={
                <div style={{ textAlign: "right" }}>
                  <FreshnessBadge hours={e.freshness_hours} lastSuccess={e.last_success_at} />
                  {e.data_through && (
                    <div>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        data through {f.date(e.data_through)}
                      </Typography.Text>
                    </div>
                  )}
                </div>
              }
            >
              <List.Item.Meta
                title={e.name}
                description={
                  <Space size={4} wrap>
                    <PlatformTag platform={e.platform} />
                    {e.status && e.status !== "active" && <Tag color="orange">{e.status.replace(/_/g, " ")}</Tag>}
                    {e.last_error && (
                      <Typography.Text type="danger" ellipsis style={{ maxWidth: 220, fontSize: 12 }} title={e.last_error}>
                        {e.last_error}
                      </Typography.Text>
                    )}
                  </Space>
                }
              />
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}

export default function OverviewPage() {
  const [range] = useDateRange();
  const { user } = useAuth();
  const [metric, setMetric] = useState<SeriesMetric>("spend");
  const overview = useQuery({
    queryKey: queryKeys.overview(range),
    queryFn: ({ signal }) => fetchOverview(range, signal),
  });
  useReportedCurrency(overview.data?.currency);
  const f = useFormat(overview.data?.currency);
  const prev = previousRange(range);
  const ageDays = overview.data?.comparable?.days ?? 7;

  if (overview.isError) return <ErrorState error={overview.error} onRetry={() => void overview.refetch()} />;

  return (
    <div>
      <Typography.Paragraph type="secondary" className="section">
        {f.date(range.start)} – {f.date(range.end)}, compared with {f.date(prev.start)} – {f.date(prev.end)}
      </Typography.Paragraph>
      {overview.isPending ? (
        <Row gutter={[16, 16]} className="section">
          {["Spend", "Revenue", "ROAS", "Predicted ROAS", "Installs", "CPI"].map((t) => (
            <Col key={t} xs={24} sm={12} lg={8} xl={4}>
              <KpiCard title={t} current={null} previous={null} format={f.money} good="neutral" loading />
            </Col>
          ))}
        </Row>
      ) : (
        <Kpis data={overview.data} f={f} />
      )}
      <Card
        className="section"
        title="Spend and revenue by channel"
        extra={
          <Segmented
            value={metric}
            onChange={(v) => setMetric(v as SeriesMetric)}
            options={[
              { label: "Spend", value: "spend" },
              { label: `Revenue, first ${ageDays} days`, value: "revenue" },
              { label: `ROAS, first ${ageDays} days`, value: "roas" },
            ]}
          />
        }
      >
        <QueryView
          query={overview}
          isEmpty={(d: Overview) => !d.series?.length}
          empty={<EmptyState description="No spend in this date range." />}
        >
          {(d: Overview) => (
            <>
              <EChart
                ariaLabel={`${metric} by channel over time`}
                option={trendOption(d, metric, f)}
                height={340}
              />
              {metric !== "spend" && (
                <Typography.Paragraph type="secondary" style={{ margin: "8px 0 0", fontSize: 12 }} data-testid="maturity-note">
                  Revenue of the customers acquired each day, in their first {ageDays} days, so that every day is seen at the same age.
                  {d.comparable?.through
                    ? ` Customers acquired after ${f.date(d.comparable.through)} are younger than ${ageDays} days (shaded): their figures come later.`
                    : ` No customer of this range is ${ageDays} days old yet.`}
                </Typography.Paragraph>
              )}
            </>
          )}
        </QueryView>
      </Card>
      <Row gutter={[16, 16]}>
        {can(user?.role, "viewAlerts") && (
          <Col xs={24} lg={12}>
            <OpenAlerts count={overview.data?.open_alerts ?? 0} />
          </Col>
        )}
        <Col xs={24} lg={12}>
          <QueryView query={overview} compact>
            {(d: Overview) => <FreshnessCard entries={d.freshness ?? []} />}
          </QueryView>
        </Col>
      </Row>
    </div>
  );
}
