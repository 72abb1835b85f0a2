/** One ad account: its state with the full error, its syncs and backfills with live progress,
 * and the actions an admin takes on it (sync now, backfill, test the connection, edit). */
import { useState } from "react";
import { Alert, App, Button, Descriptions, Drawer, Progress, Space, Table, Tag, Typography } from "antd";
import { ApiOutlined, EditOutlined, HistoryOutlined, SyncOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { fetchSyncRequests, queryKeys, startSync } from "../../../api";
import type { SyncRequest } from "../../../api/types";
import { PlatformTag } from "../../../components/PlatformTag";
import { FreshnessBadge } from "../../../components/Freshness";
import { useFormat } from "../../../state/useFormat";
import type { AccountRow } from "../AccountsPage";
import { accountState, formatDuration, SYNC_KINDS } from "./accountState";

const STATUS_COLORS: Record<string, string> = {
  queued: "default",
  running: "processing",
  succeeded: "success",
  failed: "error",
};

/** Polls fast while a sync is queued or running, slowly otherwise. */
export function syncPollInterval(requests: SyncRequest[] | undefined): number {
  return (requests ?? []).some((r) => r.status === "queued" || r.status === "running") ? 2_000 : 30_000;
}

function RequestProgress({ request }: { request: SyncRequest }) {
  const f = useFormat();
  const finished = request.status === "succeeded" || request.status === "failed";
  const percent = request.days ? Math.round((request.days_done / request.days) * 100) : 0;
  return (
    <Space direction="vertical" size={0} style={{ width: "100%" }}>
      <Space size={6}>
        <Tag color={STATUS_COLORS[request.status]}>{request.status}</Tag>
        <span className="num" data-testid="sync-progress">
          {f.integer(request.days_done)} of {f.integer(request.days)} days
        </span>
      </Space>
      {!finished && (
        <Progress
          percent={percent}
          size="small"
          status="active"
          aria-label={`${request.days_done} of ${request.days} days done`}
          format={() => `${percent}%`}
        />
      )}
      {request.runs > 1 && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {request.runs_done} of {request.runs} chunks done
          {request.runs_running > 0 && `, ${request.runs_running} running`}
          {request.runs_failed > 0 && `, ${request.runs_failed} failed`}
        </Typography.Text>
      )}
    </Space>
  );
}

/** A request's errors in full, under its row: the first one, then the others on demand (the
 * chunks of one request usually fail for one reason). */
function RequestErrors({ request }: { request: SyncRequest }) {
  const f = useFormat();
  const [all, setAll] = useState(false);
  const shown = all ? request.errors : request.errors.slice(0, 1);
  const more = request.errors.length - shown.length;
  return (
    <Space direction="vertical" size={4} style={{ width: "100%" }} data-testid="sync-errors">
      {shown.map((e) => (
        <div key={`${e.window_start}-${e.window_end}`} className="sync-error">
          <Typography.Text type="secondary">
            {e.status === "queued" ? "Retrying" : e.status === "retried" ? "Lost, queued again" : "Failed"}
            {request.runs > 1 && ` (days ${f.shortDate(e.window_start)} – ${f.shortDate(e.window_end)})`}:{" "}
          </Typography.Text>
          <Typography.Text type={e.status === "failed" ? "danger" : "warning"}>{e.error}</Typography.Text>
        </div>
      ))}
      {more > 0 && (
        <Typography.Link onClick={() => setAll(true)}>
          Show the errors of {more} other chunk{more === 1 ? "" : "s"}
        </Typography.Link>
      )}
    </Space>
  );
}

export function AccountDrawer({
  account,
  onClose,
  onEdit,
  onBackfill,
  onTest,
}: {
  account: AccountRow | null;
  onClose: () => void;
  onEdit: (account: AccountRow) => void;
  onBackfill: (account: AccountRow) => void;
  onTest: (account: AccountRow) => void;
}) {
  const f = useFormat();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const id = account?.id ?? 0;
  const requests = useQuery({
    queryKey: queryKeys.syncRequests(id),
    queryFn: ({ signal }) => fetchSyncRequests(id, signal),
    enabled: Boolean(account),
    refetchInterval: (query) => syncPollInterval(query.state.data),
  });
  const sync = useMutation({
    mutationFn: () => startSync(id),
    onSuccess: () => {
      message.success(`Sync of ${account?.name} queued`);
      void queryClient.invalidateQueries({ queryKey: queryKeys.syncRequests(id) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.syncHealth });
    },
    onError: (err) => message.error((err as Error).message),
  });
  // The account list's health refreshes every minute; while a sync runs, follow it here.
  const running = (requests.data ?? []).some((r) => r.status === "queued" || r.status === "running");
  const state = account ? accountState(account, account.health) : null;

  return (
    <Drawer
      title={account ? account.name : ""}
      open={Boolean(account)}
      onClose={onClose}
      width={1040}
      destroyOnClose
      extra={
        account && (
          <Space>
            <Button
              type="primary"
              icon={<SyncOutlined spin={sync.isPending} />}
              loading={sync.isPending}
              disabled={account.status === "disabled"}
              onClick={() => sync.mutate()}
            >
              Sync now
            </Button>
            <Button icon={<HistoryOutlined />} onClick={() => onBackfill(account)} disabled={account.status === "disabled"}>
              Backfill…
            </Button>
            <Button icon={<ApiOutlined />} onClick={() => onTest(account)}>
              Test connection
            </Button>
            <Button icon={<EditOutlined />} onClick={() => onEdit(account)}>
              Edit
            </Button>
          </Space>
        )
      }
    >
      {account && state && (
        <>
          {state.error && (
            <Alert
              data-testid="account-error"
              type="error"
              showIcon
              style={{ marginBottom: 16 }}
              message={state.key === "needs_credentials" ? "The platform refused the credentials" : "The last sync failed"}
              description={
                <>
                  <div className="sync-error">{state.error}</div>
                  <Typography.Text type="secondary">
                    {state.key === "needs_credentials"
                      ? "Edit the account and enter new credentials; syncing resumes after saving."
                      : "Fix the cause (credentials, account ID, permissions on the platform), then use Sync now."}
                  </Typography.Text>
                </>
              }
            />
          )}
          <Descriptions size="small" column={3} style={{ marginBottom: 16 }}>
            <Descriptions.Item label="Status">
              <Tag color={state.color}>{state.label}</Tag>
            </Descriptions.Item>
            <Descriptions.Item label="Platform">
              <PlatformTag platform={account.platform} />
            </Descriptions.Item>
            <Descriptions.Item label="Account ID">
              <span className="mono">{account.external_id}</span>
            </Descriptions.Item>
            <Descriptions.Item label="Last successful sync">
              <FreshnessBadge hours={account.health?.freshness_hours} lastSuccess={account.health?.last_success_at} />
            </Descriptions.Item>
            <Descriptions.Item label="Data through">
              {account.health?.data_through ? f.date(account.health.data_through) : "no data yet"}
            </Descriptions.Item>
            <Descriptions.Item label="Currency · time zone">
              {account.currency} · {account.timezone}
            </Descriptions.Item>
          </Descriptions>
          <Typography.Title level={5} style={{ marginTop: 0 }}>
            Syncs and backfills{" "}
            {running && (
              <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 400 }}>
                (updating every 2 s while one runs)
              </Typography.Text>
            )}
          </Typography.Title>
          <Table<SyncRequest>
            data-testid="sync-requests"
            size="small"
            rowKey="id"
            loading={requests.isPending}
            dataSource={requests.data ?? []}
            pagination={false}
            locale={{ emptyText: "No sync yet. Use Sync now, or Backfill… for a past range." }}
            expandable={{
              // Errors are read in full, under their request, never cut off in a column.
              expandedRowRender: (r) => <RequestErrors request={r} />,
              rowExpandable: (r) => r.errors.length > 0,
              expandedRowKeys: (requests.data ?? []).filter((r) => r.errors.length > 0).map((r) => r.id),
              showExpandColumn: false,
            }}
            columns={[
              {
                key: "requested",
                title: "Requested",
                width: 170,
                render: (_, r) => (
                  <Space direction="vertical" size={0}>
                    <span>{SYNC_KINDS[r.kind] ?? r.kind}</span>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {f.dateTime(r.requested_at)}
                    </Typography.Text>
                  </Space>
                ),
              },
              {
                key: "window",
                title: "Date range",
                width: 210,
                render: (_, r) => (
                  <span className="num">
                    {f.shortDate(r.window_start)} – {f.date(r.window_end)}
                  </span>
                ),
              },
              { key: "status", title: "Status and progress", width: 220, render: (_, r) => <RequestProgress request={r} /> },
              {
                key: "rows",
                title: "Rows stored",
                align: "right",
                width: 100,
                render: (_, r) => <span className="num">{f.integer(r.rows)}</span>,
              },
              {
                key: "duration",
                title: "Duration",
                align: "right",
                width: 100,
                render: (_, r) => <span className="num">{formatDuration(r.duration_ms)}</span>,
              },
              {
                key: "errors",
                title: "Errors",
                width: 110,
                render: (_, r) =>
                  r.errors.length ? (
                    <Typography.Text type={r.status === "failed" ? "danger" : "warning"}>
                      {r.errors.length} {r.errors.length === 1 ? "error" : "errors"} ↓
                    </Typography.Text>
                  ) : (
                    <Typography.Text type="secondary">none</Typography.Text>
                  ),
              },
            ]}
          />
        </>
      )}
    </Drawer>
  );
}
