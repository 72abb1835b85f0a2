/** Traffic quality: per campaign, the share of its new customers that look fake over the last
 * days, flagged above the alert level, with the signs that raised suspicion and the suspected
 * customers as a CSV for a dispute with the ad network. */
import { useState } from "react";
import { Alert, Button, Card, InputNumber, Segmented, Space, Tag, Tooltip, Typography } from "antd";
import { DownloadOutlined, WarningFilled } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { fetchSuspicionRules, fetchTrafficQuality, queryKeys, suspectsCsvUrl } from "../api";
import type { CampaignQuality, SuspicionRules, TrafficFilters } from "../api/traffic";
import { DataTable, type DataColumn } from "../components/DataTable";
import { EmptyState, QueryView } from "../components/QueryView";
import { PlatformTag } from "../components/PlatformTag";
import { TrustNote } from "../components/TrustNote";
import { csvFileName } from "../lib/csv";
import { useFormat } from "../state/useFormat";
import { ActionListsMenu } from "../components/ActionListsMenu";
import { campaignPlatform, campaignTitle, flaggedSentence, isJudged, reasonLines } from "./traffic/reasons";
import type { Formatters } from "../state/useFormat";

const WINDOWS = [7, 14, 30];

/** The days the page judges (customers a day old at least) as acquisition dates. */
function windowDays(days: number, now: Date = new Date()): { start: string; end: string } {
  const utcDay = (back: number) => new Date(now.getTime() - back * 86_400_000).toISOString().slice(0, 10);
  return { start: utcDay(days + 1), end: utcDay(1) };
}

function columns(
  labels: Record<string, string>,
  sharePct: number,
  days: number,
  rules: SuspicionRules | undefined,
  f: Formatters,
): DataColumn<CampaignQuality>[] {
  const minimum = rules?.min_customers ?? 5;
  const confidence = Math.round((rules?.confidence ?? 0.95) * 100);
  return [
    {
      key: "campaign",
      title: "Campaign",
      value: campaignTitle,
      render: (r) => (
        <Space size={6} wrap>
          <PlatformTag platform={campaignPlatform(r)} />
          <span>{campaignTitle(r)}</span>
        </Space>
      ),
      width: 220,
    },
    {
      key: "flagged",
      title: "Status",
      help: `Flagged when more than ${sharePct}% of the campaign's new customers look fake even at the low end of the share's ${confidence}% interval, so that a few unlucky installs do not flag it. A campaign with fewer than ${minimum} new customers is not judged.`,
      value: (r) => (r.flagged ? "Flagged" : isJudged(r) ? "OK" : "Too few installs to judge"),
      render: (r) =>
        r.flagged ? (
          <Tag color="red" icon={<WarningFilled />} data-testid="flagged">
            Flagged
          </Tag>
        ) : isJudged(r) ? (
          <Tag color="green">OK</Tag>
        ) : (
          <Tooltip title={`Fewer than ${minimum} new customers: their suspect share could be far from the campaign's usual one`}>
            <Typography.Text type="secondary" data-testid="not-judged">
              too few installs to judge
            </Typography.Text>
          </Tooltip>
        ),
      filterable: true,
      width: 120,
    },
    {
      key: "share",
      title: "Suspect share",
      help: `Suspect customers ÷ new customers of the period, and below it the range the campaign's true share lies in with ${confidence}% confidence (Wilson interval)`,
      kind: "ratioPercent",
      value: (r) => r.share,
      note: (r) =>
        r.share_low == null || r.share_high == null ? null : (
          <TrustNote
            text={`${confidence}%: ${f.ratioPercent(r.share_low, 0)}–${f.ratioPercent(r.share_high, 0)}`}
            tooltip={`With ${r.customers} new customers, the campaign's true suspect share lies between these with ${confidence}% confidence`}
          />
        ),
      width: 130,
    },
    {
      key: "suspects",
      title: "Suspect customers",
      kind: "integer",
      value: (r) => r.suspects,
      width: 110,
    },
    {
      key: "customers",
      title: "New customers",
      kind: "integer",
      value: (r) => r.customers,
      width: 110,
    },
    {
      key: "reasons",
      title: "Why they look fake",
      help: "The signs seen in the suspect customers, and how many of them show each",
      value: (r) => reasonLines(r, labels).map((l) => `${l.label} (${l.suspects})`).join("; "),
      render: (r) => {
        const lines = reasonLines(r, labels);
        if (lines.length === 0) return <Typography.Text type="secondary">—</Typography.Text>;
        return (
          <ul className="traffic-reasons" data-testid="reasons">
            {lines.map((l) => (
              <li key={l.key}>
                {l.label}: <strong>{l.suspects}</strong> {l.suspects === 1 ? "customer" : "customers"}
              </li>
            ))}
          </ul>
        );
      },
      sortable: false,
    },
    {
      key: "lists",
      title: "Customer lists",
      help: "Download this campaign's suspected customers (with the signs seen), or those likely to pay or churn (CSV)",
      value: () => "",
      render: (r) => {
        const [platform, account] = r.campaign.split(":");
        return (
          <ActionListsMenu
            size="small"
            label="Lists"
            scope={{ ...windowDays(days), platform, account_id: account, campaign_external_id: r.campaign_external_id }}
          />
        );
      },
      sortable: false,
      exportable: false,
      width: 110,
    },
  ];
}

function HowItWorks({ rules }: { rules: SuspicionRules }) {
  return (
    <Card size="small" className="section" title="How a customer comes to look fake">
      <Typography.Paragraph>
        Spendlens watches what each new customer does in the app. A customer counts as suspect when several of these
        signs are seen together; one sign alone (a real person who never comes back) is not enough:
      </Typography.Paragraph>
      <ul className="traffic-reasons">
        {Object.entries(rules.reasons).map(([key, label]) => (
          <li key={key}>{label}</li>
        ))}
      </ul>
    </Card>
  );
}

export default function TrafficPage() {
  const f = useFormat();
  const rules = useQuery({ queryKey: queryKeys.suspicionRules, queryFn: ({ signal }) => fetchSuspicionRules(signal) });
  const [chosen, setChosen] = useState<Partial<TrafficFilters>>({});
  const filters: TrafficFilters = {
    days: chosen.days ?? rules.data?.days ?? 7,
    share_pct: chosen.share_pct ?? rules.data?.share_pct ?? 10,
  };
  const report = useQuery({
    queryKey: queryKeys.trafficQuality(filters),
    queryFn: ({ signal }) => fetchTrafficQuality(filters, signal),
    enabled: rules.isSuccess || rules.isError,
  });
  const labels = rules.data?.reasons ?? {};

  return (
    <div>
      <div className="page-toolbar">
        <Space wrap>
          <Typography.Text>New customers of the last</Typography.Text>
          <Segmented
            aria-label="Period"
            value={filters.days}
            onChange={(v) => setChosen((c) => ({ ...c, days: Number(v) }))}
            options={WINDOWS.map((d) => ({ label: `${d} days`, value: d }))}
          />
          <Tooltip title="A campaign is flagged when its share of suspect customers is above this level">
            <Space size={6}>
              <Typography.Text>Flag above</Typography.Text>
              <InputNumber
                aria-label="Alert level (%)"
                min={1}
                max={100}
                value={filters.share_pct}
                onChange={(v) => v !== null && setChosen((c) => ({ ...c, share_pct: Number(v) }))}
                suffix="%"
                style={{ width: 110 }}
              />
            </Space>
          </Tooltip>
        </Space>
        <Tooltip title="The suspected customers of this period, with the signs seen, for a dispute with the ad network">
          <Button icon={<DownloadOutlined />} href={suspectsCsvUrl(filters)}>
            Download suspects (CSV)
          </Button>
        </Tooltip>
      </div>
      <Card className="section">
        <QueryView
          query={report}
          isEmpty={(d: CampaignQuality[]) => d.length === 0}
          empty={<EmptyState description="No new customers in this period: nothing to judge yet." />}
        >
          {(rows: CampaignQuality[]) => (
            <>
              <Alert
                data-testid="traffic-summary"
                type={rows.some((r) => r.flagged) ? "warning" : "success"}
                showIcon
                message={flaggedSentence(rows, filters.share_pct, filters.days)}
                description="Alert mails for flagged campaigns come from budgets: the “Suspect traffic” rule of a budget judges the campaigns within its scope (Budgets & pacing). A campaign outside every budget is shown here but mailed about by no rule."
                style={{ marginBottom: 12 }}
              />
              <DataTable<CampaignQuality>
                title={
                  <Typography.Text>
                    {f.integer(rows.length)} campaign{rows.length === 1 ? "" : "s"}
                  </Typography.Text>
                }
                rows={rows}
                columns={columns(labels, filters.share_pct, filters.days, rules.data, f)}
                rowKey={(r) => r.campaign}
                csvName={csvFileName("traffic-quality", `${filters.days}-days`)}
                defaultSort={{ key: "share", order: "descend" }}
                pageSize={100}
              />
            </>
          )}
        </QueryView>
      </Card>
      {rules.data && <HowItWorks rules={rules.data} />}
    </div>
  );
}
