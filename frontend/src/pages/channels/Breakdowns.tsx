/** Spend and ROAS by country, OS/device, weekday and hour for the current drill-down. */
import { useState } from "react";
import { Card, Tabs } from "antd";
import { useQuery } from "@tanstack/react-query";
import { fetchRoi, queryKeys } from "../../api";
import type { GroupBy, RoiFilters, RoiReport, RoiRow } from "../../api/types";
import { QueryView, EmptyState } from "../../components/QueryView";
import { DataTable } from "../../components/DataTable";
import { EChart, AXIS, type EChartsOption } from "../../components/charts/EChart";
import { toNumber } from "../../lib/format";
import { csvFileName } from "../../lib/csv";
import { useFormat, type Formatters } from "../../state/useFormat";
import { nameColumn, roiMetricColumns, roiTotals } from "./columns";

/** The breakdowns the platforms report. There is no hour of day: every platform reports daily
 * figures (the API answers `hour` with no rows and a note saying so). */
export const TABS: { key: GroupBy; label: string; name: string }[] = [
  { key: "country", label: "Country", name: "Country" },
  { key: "device", label: "OS / device", name: "OS / device" },
  { key: "weekday", label: "Weekday", name: "Weekday" },
];

const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/** Country codes read as names in the user's language ("DE" → "Germany"). */
export function withCountryNames(rows: RoiRow[], locale: string | undefined): RoiRow[] {
  let names: Intl.DisplayNames | null = null;
  try {
    names = new Intl.DisplayNames(locale ? [locale] : undefined, { type: "region" });
  } catch {
    return rows;
  }
  return rows.map((r) => {
    const code = String(r.key ?? "").toUpperCase();
    if (!/^[A-Z]{2}$/.test(code) || (r.label && r.label.toUpperCase() !== code)) return r;
    try {
      return { ...r, label: names!.of(code) ?? r.label };
    } catch {
      return r;
    }
  });
}

/** Weekdays and hours in calendar order; countries and devices by spend, largest first. */
export function orderBreakdown(groupBy: GroupBy, rows: readonly RoiRow[]): RoiRow[] {
  const out = [...rows];
  if (groupBy === "hour") return out.sort((a, b) => Number(a.key) - Number(b.key));
  if (groupBy === "weekday") {
    const pos = (r: RoiRow) => {
      const n = Number(r.key);
      if (Number.isFinite(n)) return n;
      const i = WEEKDAYS.findIndex((d) => d.startsWith(String(r.key ?? r.label).toLowerCase().slice(0, 3)));
      return i < 0 ? 99 : i;
    };
    return out.sort((a, b) => pos(a) - pos(b));
  }
  return out.sort((a, b) => (toNumber(b.spend) ?? 0) - (toNumber(a.spend) ?? 0));
}

export function breakdownOption(groupBy: GroupBy, rows: RoiRow[], f: Formatters): EChartsOption {
  const shown = groupBy === "country" || groupBy === "device" ? rows.slice(0, 15) : rows;
  return {
    tooltip: { trigger: "axis" },
    legend: { top: 0, left: 0 },
    grid: { top: 40 },
    xAxis: {
      type: "category",
      data: shown.map((r) => r.label || r.key),
      ...AXIS,
      axisLabel: { ...AXIS.axisLabel, interval: 0, rotate: shown.length > 10 ? 40 : 0 },
    },
    yAxis: [
      { type: "value", ...AXIS, axisLabel: { ...AXIS.axisLabel, formatter: (v: number) => f.moneyAxis(v) } },
      {
        type: "value",
        ...AXIS,
        splitLine: { show: false },
        // ticks at least 1% apart, so that whole percents never repeat (0%, 0%, 1%, 1%)
        minInterval: 0.01,
        axisLabel: { ...AXIS.axisLabel, formatter: (v: number) => f.ratioPercent(v, 0) },
      },
    ],
    series: [
      {
        name: "Spend",
        type: "bar",
        data: shown.map((r) => toNumber(r.spend)),
        itemStyle: { color: "#3b5bdb", borderRadius: [3, 3, 0, 0] },
        barMaxWidth: 28,
        tooltip: { valueFormatter: (v) => f.money(v as number) },
      },
      {
        name: "ROAS",
        type: "line",
        yAxisIndex: 1,
        data: shown.map((r) => toNumber(r.roas)),
        itemStyle: { color: "#0ca678" },
        symbolSize: 6,
        tooltip: { valueFormatter: (v) => f.roas(v as number) },
      },
    ],
  };
}

function Breakdown({ groupBy, name, filters }: { groupBy: GroupBy; name: string; filters: Omit<RoiFilters, "group_by"> }) {
  const query = { ...filters, group_by: groupBy };
  const report = useQuery({ queryKey: queryKeys.roi(query), queryFn: ({ signal }) => fetchRoi(query, signal) });
  const f = useFormat(report.data?.currency);
  return (
    <QueryView
      query={report}
      isEmpty={(d: RoiReport) => d.rows.length === 0}
      empty={<EmptyState description={`No ${name.toLowerCase()} breakdown for this selection.`} />}
    >
      {(d: RoiReport) => {
        const named = groupBy === "country" ? withCountryNames(d.rows, f.locale) : d.rows;
        const rows = orderBreakdown(groupBy, named);
        return (
          <>
            <EChart ariaLabel={`Spend and ROAS by ${name}`} option={breakdownOption(groupBy, rows, f)} height={300} />
            <DataTable<RoiRow>
              rows={rows}
              rowKey={(r) => String(r.key)}
              columns={[nameColumn(name, false), ...roiMetricColumns(d, f)]}
              csvName={csvFileName("roi", groupBy, filters.start, filters.end)}
              totals={roiTotals(d.totals)}
              size="small"
              pageSize={25}
            />
          </>
        );
      }}
    </QueryView>
  );
}

export function Breakdowns({ filters, scopeLabel }: { filters: Omit<RoiFilters, "group_by">; scopeLabel: string }) {
  const [tab, setTab] = useState<GroupBy>("country");
  return (
    <Card title={`Breakdowns — ${scopeLabel}`} className="section">
      <Tabs
        activeKey={tab}
        onChange={(k) => setTab(k as GroupBy)}
        destroyInactiveTabPane
        items={TABS.map((t) => ({
          key: t.key,
          label: t.label,
          children: <Breakdown groupBy={t.key} name={t.name} filters={filters} />,
        }))}
      />
    </Card>
  );
}
