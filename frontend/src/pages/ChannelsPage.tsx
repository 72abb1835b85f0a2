/** Channel ROI: drill down platform → account → campaign, with breakdowns of the current scope. */
import { useMemo } from "react";
import { useSearchParams } from "react-router";
import { Alert, Breadcrumb, Card, Segmented, Space, Typography } from "antd";
import { useQuery } from "@tanstack/react-query";
import { fetchRoi, queryKeys } from "../api";
import type { GroupBy, RoiFilters, RoiReport, RoiRow } from "../api/types";
import { DataTable, type DataColumn } from "../components/DataTable";
import { EmptyState, QueryView } from "../components/QueryView";
import { platformLabel } from "../lib/platforms";
import { csvFileName } from "../lib/csv";
import { useDateRange, useReportedCurrency } from "../state/report";
import { Breakdowns } from "./channels/Breakdowns";
import { CohortAgeNote } from "./channels/CohortAge";
import { drillHint, type Level } from "./channels/drill";
import { nameColumn, platformColumn, roiMetricColumns, roiTotals } from "./channels/columns";
import { useFormat } from "../state/useFormat";
import { ActionListsMenu } from "../components/ActionListsMenu";


const LEVEL_TITLES: Record<Level, string> = { platform: "Channel", account: "Account", campaign: "Campaign" };
const DRILL_KEYS = ["level", "platform", "account_id", "account", "campaign_id", "campaign"] as const;

/** The drill-down lives in the URL: level, and the platform/account/campaign chosen (with names). */
function useDrill() {
  const [params, setParams] = useSearchParams();
  const level = (params.get("level") as Level) || "platform";
  const drill = {
    level: (["platform", "account", "campaign"] as Level[]).includes(level) ? level : "platform",
    platform: params.get("platform"),
    accountId: params.get("account_id"),
    accountName: params.get("account"),
    campaignId: params.get("campaign_id"),
    campaignName: params.get("campaign"),
  };
  const update = (changes: Partial<Record<(typeof DRILL_KEYS)[number], string | null>>) =>
    setParams((prev) => {
      const p = new URLSearchParams(prev);
      for (const [k, v] of Object.entries(changes)) {
        if (v === null || v === undefined || v === "") p.delete(k);
        else p.set(k, v);
      }
      return p;
    });
  return { drill, update };
}

export default function ChannelsPage() {
  const [range] = useDateRange();
  const { drill, update } = useDrill();

  const filters: Omit<RoiFilters, "group_by"> = {
    start: range.start,
    end: range.end,
    platform: drill.platform,
    account_id: drill.accountId,
    campaign_id: drill.campaignId,
  };
  const query: RoiFilters = { ...filters, group_by: drill.level as GroupBy };
  const report = useQuery({ queryKey: queryKeys.roi(query), queryFn: ({ signal }) => fetchRoi(query, signal) });
  useReportedCurrency(report.data?.currency);
  const f = useFormat(report.data?.currency);

  const columns = useMemo<DataColumn<RoiRow>[]>(() => {
    const cols = [nameColumn(LEVEL_TITLES[drill.level], false)];
    if (drill.level !== "platform") cols.push(platformColumn());
    return [...cols, ...roiMetricColumns(report.data ?? {}, f)];
  }, [drill.level, report.data, f]);

  const drillInto = (row: RoiRow) => {
    if (drill.level === "platform") {
      update({ level: "account", platform: row.platform ?? row.key });
    } else if (drill.level === "account") {
      update({
        level: "campaign",
        platform: row.platform ?? drill.platform,
        account_id: String(row.account_id ?? row.key),
        account: row.label,
      });
    } else {
      update({ campaign_id: String(row.campaign_id ?? row.key), campaign: row.label });
    }
  };

  const crumbs = [
    {
      title: <a onClick={() => update({ level: "platform", platform: null, account_id: null, account: null, campaign_id: null, campaign: null })}>All channels</a>,
    },
  ];
  if (drill.platform) {
    crumbs.push({
      title: <a onClick={() => update({ level: "account", account_id: null, account: null, campaign_id: null, campaign: null })}>{platformLabel(drill.platform)}</a>,
    });
  }
  if (drill.accountId) {
    crumbs.push({
      title: <a onClick={() => update({ level: "campaign", campaign_id: null, campaign: null })}>{drill.accountName || `Account ${drill.accountId}`}</a>,
    });
  }
  if (drill.campaignId) crumbs.push({ title: <span>{drill.campaignName || `Campaign ${drill.campaignId}`}</span> });

  const scopeLabel =
    (drill.campaignId && (drill.campaignName || `campaign ${drill.campaignId}`)) ||
    (drill.accountId && (drill.accountName || `account ${drill.accountId}`)) ||
    (drill.platform && platformLabel(drill.platform)) ||
    "all channels";

  const rowTitle =
    drill.level === "platform" ? "Show this channel's accounts" : drill.level === "account" ? "Show this account's campaigns" : "Break this campaign down";
  /** What a click on a row does; nothing once a campaign is chosen (the deepest level). */
  const clickHint = drillHint(drill.level, Boolean(drill.campaignId));

  return (
    <div>
      <div className="page-toolbar">
        <Breadcrumb items={crumbs} />
        <Space wrap>
          <ActionListsMenu
            label={drill.campaignId ? "This campaign's customer lists" : "Customer lists"}
            scope={{
              start: range.start,
              end: range.end,
              platform: drill.platform,
              account_id: drill.accountId,
              campaign_id: drill.campaignId,
            }}
          />
          <Segmented
            value={drill.level}
            onChange={(v) => update({ level: String(v), campaign_id: null, campaign: null })}
            options={[
              { label: "Channels", value: "platform" },
              { label: "Accounts", value: "account" },
              { label: "Campaigns", value: "campaign" },
            ]}
          />
        </Space>
      </div>
      <Card className="section">
        <QueryView
          query={report}
          isEmpty={(d: RoiReport) => d.rows.length === 0}
          empty={<EmptyState description="No spend for this selection and date range." />}
        >
          {(d: RoiReport) => (
            <>
            {d.note && <Alert type="info" showIcon message={d.note} style={{ marginBottom: 12 }} />}
            <CohortAgeNote report={d} />
            <DataTable<RoiRow>
              title={
                <Typography.Text>
                  {d.rows.length} {LEVEL_TITLES[drill.level].toLowerCase()}
                  {d.rows.length === 1 ? "" : "s"}{" "}
                  {clickHint && <Typography.Text type="secondary">· {clickHint}</Typography.Text>}
                </Typography.Text>
              }
              rows={d.rows}
              columns={columns}
              rowKey={(r) => String(r.key)}
              totals={roiTotals(d.totals)}
              defaultSort={{ key: "spend", order: "descend" }}
              onRowClick={clickHint ? drillInto : undefined}
              rowTitle={clickHint ? rowTitle : undefined}
              csvName={csvFileName("roi", drill.level, drill.platform, drill.accountId, range.start, range.end)}
              searchPlaceholder={`Search ${LEVEL_TITLES[drill.level].toLowerCase()}s`}
            />
            </>
          )}
        </QueryView>
      </Card>
      <Breakdowns filters={filters} scopeLabel={scopeLabel} />
    </div>
  );
}
