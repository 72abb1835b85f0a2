/** Ad accounts with their sync health; add/edit with schema-generated credentials, test a
 * connection; an account's drawer shows its full error, its syncs with live progress, and
 * starts a sync or a backfill. */
import { useMemo, useState } from "react";
import { Alert, App, Button, Card, Dropdown, Space, Tag, Tooltip, Typography } from "antd";
import { EditOutlined, MoreOutlined, PlusOutlined, WarningOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import dayjs from "dayjs";
import { fetchAdAccounts, fetchSyncHealth, queryKeys, startSync, testAccountConnection } from "../../api";
import type { AdAccount, SyncHealth } from "../../api/types";
import { DataTable, type DataColumn } from "../../components/DataTable";
import { EmptyState, QueryView } from "../../components/QueryView";
import { PlatformTag } from "../../components/PlatformTag";
import { FreshnessBadge } from "../../components/Freshness";
import { platformLabel } from "../../lib/platforms";
import { csvFileName } from "../../lib/csv";
import { toNumber } from "../../lib/format";
import { useFormat } from "../../state/useFormat";
import { AccountForm } from "./accounts/AccountForm";
import { BackfillModal } from "./accounts/BackfillModal";
import { AccountDrawer } from "./accounts/AccountDrawer";
import { accountState } from "./accounts/accountState";

export interface AccountRow extends AdAccount {
  health: SyncHealth | null;
}

export function mergeHealth(accounts: AdAccount[], health: SyncHealth[] | undefined): AccountRow[] {
  const byId = new Map((health ?? []).map((h) => [h.account_id, h]));
  return accounts.map((a) => ({ ...a, health: byId.get(a.id) ?? null }));
}

function expiryDays(value: string | null | undefined): number | null {
  if (!value) return null;
  return dayjs(value).diff(dayjs(), "day");
}

/** An account's status while its sync health is being read. */
const CHECKING = "checking…";

/** Accounts an admin should look at, and why. */
export function needsAttention(rows: AccountRow[]): { row: AccountRow; reasons: string[] }[] {
  return rows
    .map((row) => {
      const reasons: string[] = [];
      const state = accountState(row, row.health);
      if (state.key === "needs_credentials") reasons.push("needs new credentials");
      if (state.key === "failing") reasons.push("its last sync failed");
      const hours = toNumber(row.health?.freshness_hours);
      if (state.key === "never_synced") reasons.push("never synced");
      else if (row.status === "active" && hours !== null && hours > 24) reasons.push("data is stale");
      if (row.health?.reconciliation?.flagged) reasons.push("spend differs from the platform's total");
      const days = expiryDays(row.health?.credentials_expire_at ?? row.credentials_expire_at);
      if (days !== null && days <= 14) reasons.push(days < 0 ? "credentials expired" : `credentials expire in ${days} d`);
      return { row, reasons };
    })
    .filter((x) => x.reasons.length > 0);
}

export default function AccountsPage() {
  const f = useFormat();
  const { notification, message } = App.useApp();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<AdAccount | null>(null);
  const [formOpen, setFormOpen] = useState(false);
  const [backfill, setBackfill] = useState<AdAccount | null>(null);
  const [shownId, setShownId] = useState<number | null>(null);
  const accounts = useQuery({ queryKey: queryKeys.adAccounts, queryFn: ({ signal }) => fetchAdAccounts(signal) });
  const health = useQuery({
    queryKey: queryKeys.syncHealth,
    queryFn: ({ signal }) => fetchSyncHealth(signal),
    refetchInterval: 60_000,
  });
  const rows = useMemo(() => mergeHealth(accounts.data ?? [], health.data), [accounts.data, health.data]);
  // until the sync health has answered, no account is called never synced (nor needing attention)
  const healthKnown = health.data !== undefined;
  const attention = healthKnown ? needsAttention(rows) : [];
  const shown = rows.find((r) => r.id === shownId) ?? null;
  const edit = (account: AdAccount) => {
    setEditing(account);
    setFormOpen(true);
  };

  const test = async (account: AdAccount) => {
    const key = `test-${account.id}`;
    notification.info({ key, message: `Testing ${account.name}…`, duration: 0 });
    try {
      const check = await testAccountConnection(account.id);
      // the test records the credentials' expiry the platform told: show it in the table
      void queryClient.invalidateQueries({ queryKey: queryKeys.adAccounts });
      void queryClient.invalidateQueries({ queryKey: queryKeys.syncHealth });
      notification[check.ok ? "success" : "error"]({
        key,
        message: check.ok ? `${account.name}: connection works` : `${account.name}: connection failed`,
        description: (
          <>
            <div>{check.message}</div>
            {check.expires_at && <div>Credentials expire {f.dateTime(check.expires_at)}.</div>}
          </>
        ),
        duration: 8,
      });
    } catch (err) {
      notification.error({ key, message: `${account.name}: test failed`, description: (err as Error).message });
    }
  };

  /** Queues a sync and opens the account, where its progress shows. */
  const syncNow = async (account: AdAccount) => {
    try {
      await startSync(account.id);
      message.success(`Sync of ${account.name} queued`);
      void queryClient.invalidateQueries({ queryKey: queryKeys.syncRequests(account.id) });
      setShownId(account.id);
    } catch (err) {
      message.error((err as Error).message);
    }
  };

  const columns: DataColumn<AccountRow>[] = [
    {
      key: "name",
      title: "Account",
      value: (r) => r.name,
      fixed: "left",
      render: (r) => (
        <Space direction="vertical" size={0}>
          <Button
            type="link"
            className="link-button"
            onClick={() => setShownId(r.id)}
            aria-label={`Details of ${r.name}`}
          >
            {r.name}
          </Button>
          <Typography.Text type="secondary" className="mono">
            {r.external_id} · {r.currency} · {r.timezone}
          </Typography.Text>
        </Space>
      ),
    },
    { key: "external_id", title: "External ID", value: (r) => r.external_id, hidden: true },
    { key: "currency", title: "Currency", value: (r) => r.currency, hidden: true },
    { key: "timezone", title: "Time zone", value: (r) => r.timezone, hidden: true },
    {
      key: "platform",
      title: "Platform",
      value: (r) => r.platform,
      filterable: true,
      filterLabel: (v) => platformLabel(v),
      render: (r) => <PlatformTag platform={r.platform} />,
    },
    {
      key: "status",
      title: "Status",
      help: "Failing: the last sync ended in an error. Click a status for the full error and the account's syncs.",
      value: (r) => (healthKnown ? accountState(r, r.health).label : CHECKING),
      filterable: true,
      render: (r) => {
        if (!healthKnown) return <Tag>{CHECKING}</Tag>;
        const state = accountState(r, r.health);
        return (
          <Tooltip title={state.error ? "Click for the full error and the syncs" : "Click for the syncs"}>
            <Tag
              color={state.color}
              role="button"
              tabIndex={0}
              style={{ cursor: "pointer" }}
              icon={state.error ? <WarningOutlined /> : undefined}
              aria-label={`Status of ${r.name}: ${state.label}`}
              onClick={() => setShownId(r.id)}
              onKeyDown={(e) => e.key === "Enter" && setShownId(r.id)}
            >
              {state.label}
            </Tag>
          </Tooltip>
        );
      },
    },
    { key: "last_success_at", title: "Last success", value: (r) => r.health?.last_success_at, hidden: true },
    {
      key: "freshness_hours",
      title: "Last sync",
      help: "Time since the last successful sync, and the last day with data",
      kind: "number",
      value: (r) => r.health?.freshness_hours,
      render: (r) => (
        <Space direction="vertical" size={0} style={{ alignItems: "flex-end" }}>
          <FreshnessBadge hours={r.health?.freshness_hours} lastSuccess={r.health?.last_success_at} />
          {r.health?.data_through && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              data through {f.shortDate(r.health.data_through)}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    {
      key: "credentials_expire_at",
      title: "Credentials expire",
      value: (r) => r.health?.credentials_expire_at ?? r.credentials_expire_at,
      render: (r) => {
        const at = r.health?.credentials_expire_at ?? r.credentials_expire_at;
        const days = expiryDays(at);
        if (!at) return <Typography.Text type="secondary">—</Typography.Text>;
        return (
          <Space size={4}>
            <span className="num">{f.date(at)}</span>
            {days !== null && days < 0 && <Tag color="red">expired</Tag>}
            {days !== null && days >= 0 && days <= 14 && <Tag color="orange">in {days} d</Tag>}
          </Space>
        );
      },
    },
    {
      key: "reconciliation_diff",
      title: "Reconciliation",
      help: "Platform's own total minus the stored spend over the reconciliation window (account currency)",
      kind: "number",
      value: (r) => r.health?.reconciliation?.diff,
      render: (r) => {
        const rec = r.health?.reconciliation;
        if (!rec) return <Typography.Text type="secondary">—</Typography.Text>;
        const pct = toNumber(rec.diff_pct);
        return (
          <Tooltip title={`Platform ${f.money(rec.platform_spend, r.currency)} · stored ${f.money(rec.stored_spend, r.currency)}`}>
            <Space size={4}>
              {rec.flagged && <WarningOutlined style={{ color: "#e03131" }} />}
              <span className="num" style={{ color: rec.flagged ? "#e03131" : undefined }}>
                {f.money(rec.diff, r.currency)}
                {pct !== null && ` (${f.percent(pct, 2)})`}
              </span>
            </Space>
          </Tooltip>
        );
      },
    },
    {
      key: "provisional_days",
      title: "Provisional",
      help: "Recent days the platform may still restate; they are fetched again on every sync",
      kind: "integer",
      value: (r) => r.health?.provisional_days,
      render: (r) =>
        r.health?.provisional_from ? (
          <Tooltip title={`Days from ${f.date(r.health.provisional_from)} may still change`}>
            <span className="num">{f.days(r.health.provisional_days)}</span>
          </Tooltip>
        ) : (
          "—"
        ),
    },
    { key: "last_error", title: "Last error", value: (r) => r.health?.last_error ?? r.last_error, hidden: true },
    {
      key: "actions",
      title: "",
      value: () => null,
      sortable: false,
      exportable: false,
      fixed: "right",
      render: (r) => (
        <Space size={4} onClick={(e) => e.stopPropagation()}>
          <Button size="small" icon={<EditOutlined />} aria-label={`Edit ${r.name}`} onClick={() => edit(r)}>
            Edit
          </Button>
          <Dropdown
            trigger={["click"]}
            menu={{
              items: [
                { key: "details", label: "Syncs and details" },
                { key: "sync", label: "Sync now", disabled: r.status === "disabled" },
                { key: "test", label: "Test connection" },
                { key: "backfill", label: "Backfill…" },
              ],
              onClick: ({ key }) => {
                if (key === "details") setShownId(r.id);
                else if (key === "sync") void syncNow(r);
                else if (key === "test") void test(r);
                else setBackfill(r);
              },
            }}
          >
            <Button size="small" icon={<MoreOutlined />} aria-label={`More actions for ${r.name}`} />
          </Dropdown>
        </Space>
      ),
    },
  ];

  return (
    <div>
      <div className="page-toolbar">
        <Typography.Text type="secondary">
          Credentials are stored encrypted and never shown again. Sync health refreshes every minute.
        </Typography.Text>
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => {
            setEditing(null);
            setFormOpen(true);
          }}
        >
          Add account
        </Button>
      </div>
      {attention.length > 0 && (
        <Alert
          className="section"
          type="warning"
          showIcon
          message={`${attention.length} account${attention.length === 1 ? " needs" : "s need"} attention`}
          description={
            <ul style={{ margin: 0, paddingLeft: 18 }}>
              {attention.map(({ row, reasons }) => (
                <li key={row.id}>
                  <Typography.Link strong onClick={() => setShownId(row.id)}>
                    {row.name}
                  </Typography.Link>
                  : {reasons.join("; ")}
                </li>
              ))}
            </ul>
          }
        />
      )}
      <Card>
        <QueryView
          query={accounts}
          isEmpty={(d: AdAccount[]) => d.length === 0}
          empty={
            <EmptyState
              description="No ad accounts yet. Add one to start collecting spend."
              action={
                <Button type="primary" icon={<PlusOutlined />} onClick={() => setFormOpen(true)}>
                  Add account
                </Button>
              }
            />
          }
        >
          {() => (
            <DataTable<AccountRow>
              rows={rows}
              columns={columns}
              rowKey={(r) => String(r.id)}
              csvName={csvFileName("ad-accounts")}
              searchPlaceholder="Search accounts"
            />
          )}
        </QueryView>
      </Card>
      <AccountForm
        open={formOpen}
        account={editing}
        onClose={() => {
          setFormOpen(false);
          setEditing(null);
        }}
      />
      <BackfillModal
        account={backfill}
        onClose={() => setBackfill(null)}
        onQueued={(account) => setShownId(account.id)}
      />
      <AccountDrawer
        account={shown}
        onClose={() => setShownId(null)}
        onEdit={edit}
        onBackfill={setBackfill}
        onTest={(account) => void test(account)}
      />
    </div>
  );
}
