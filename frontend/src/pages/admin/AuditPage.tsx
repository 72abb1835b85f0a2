/** The audit log: who changed what and when, filterable, with before/after of each change. */
import { useState } from "react";
import { Button, Card, DatePicker, Form, Input, Select, Space, Tag, Typography } from "antd";
import { useQuery } from "@tanstack/react-query";
import type { Dayjs } from "dayjs";
import { fetchAudit, fetchAuditFacets, queryKeys } from "../../api";
import type { AuditEntry, AuditFilters, AuditPage as AuditResult } from "../../api/types";
import { DataTable, type DataColumn } from "../../components/DataTable";
import { EmptyState, QueryView } from "../../components/QueryView";
import { csvFileName } from "../../lib/csv";
import { toIsoDay } from "../../lib/dates";
import { useFormat } from "../../state/useFormat";

const PAGE = 500;

interface FilterValues {
  actor?: string;
  action?: string;
  entity_type?: string;
  range?: [Dayjs, Dayjs] | null;
}

/** "ad_account" → "Ad account"; "budget.update" → "Budget update". */
export function readable(code: string): string {
  const words = code.replace(/[._]/g, " ").trim();
  return words ? words[0].toUpperCase() + words.slice(1) : code;
}

/** Keys whose value changed between `before` and `after`. */
export function changedKeys(before: Record<string, unknown> | null, after: Record<string, unknown> | null): string[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  return [...keys].filter((k) => JSON.stringify(before?.[k]) !== JSON.stringify(after?.[k])).sort();
}

function Change({ entry }: { entry: AuditEntry }) {
  const keys = changedKeys(entry.before, entry.after);
  if (!keys.length) return <Typography.Text type="secondary">No field-level change recorded.</Typography.Text>;
  return (
    <table className="mono" style={{ borderCollapse: "collapse" }}>
      <thead>
        <tr>
          <th style={{ textAlign: "left", paddingRight: 24 }}>field</th>
          <th style={{ textAlign: "left", paddingRight: 24 }}>before</th>
          <th style={{ textAlign: "left" }}>after</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => (
          <tr key={k}>
            <td style={{ paddingRight: 24, verticalAlign: "top" }}>{k}</td>
            <td style={{ paddingRight: 24, color: "#c92a2a", verticalAlign: "top" }}>{JSON.stringify(entry.before?.[k] ?? null)}</td>
            <td style={{ color: "#2b8a3e", verticalAlign: "top" }}>{JSON.stringify(entry.after?.[k] ?? null)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default function AuditPage() {
  const f = useFormat();
  const [form] = Form.useForm<FilterValues>();
  const [filters, setFilters] = useState<AuditFilters>({ limit: PAGE });
  const audit = useQuery({ queryKey: queryKeys.audit(filters), queryFn: ({ signal }) => fetchAudit(filters, signal) });
  const facets = useQuery({ queryKey: queryKeys.auditFacets, queryFn: ({ signal }) => fetchAuditFacets(signal) });
  const options = (values: string[] | undefined) => (values ?? []).map((v) => ({ value: v, label: `${readable(v)} (${v})` }));

  const apply = (v: FilterValues) =>
    setFilters({
      actor: v.actor?.trim() || undefined,
      action: v.action?.trim() || undefined,
      entity_type: v.entity_type?.trim() || undefined,
      start: v.range?.[0] ? toIsoDay(v.range[0]) : undefined,
      end: v.range?.[1] ? toIsoDay(v.range[1]) : undefined,
      limit: PAGE,
    });

  const columns: DataColumn<AuditEntry>[] = [
    { key: "at", title: "When", value: (e) => e.at, fixed: "left", width: 180, render: (e) => <span className="num">{f.dateTime(e.at)}</span> },
    { key: "actor_email", title: "Who", value: (e) => e.actor_email, filterable: true },
    { key: "action", title: "Action", value: (e) => e.action, filterable: true, render: (e) => <Tag bordered={false}>{e.action}</Tag> },
    { key: "entity_type", title: "Entity", value: (e) => e.entity_type, filterable: true, filterLabel: readable, render: (e) => readable(e.entity_type) },
    {
      key: "entity_name",
      title: "Name",
      value: (e) => e.entity_name ?? e.entity_id,
      render: (e) =>
        e.entity_name ? (
          <span title={e.entity_id ? `ID ${e.entity_id}` : undefined}>{e.entity_name}</span>
        ) : (
          <Typography.Text type="secondary">{e.entity_id ? `#${e.entity_id}` : "—"}</Typography.Text>
        ),
    },
    { key: "entity_id", title: "ID", value: (e) => e.entity_id, hidden: true },
    {
      key: "changes",
      title: "Changed fields",
      value: (e) => changedKeys(e.before, e.after).join(" "),
      width: 260,
      render: (e) => {
        const text = changedKeys(e.before, e.after).join(", ") || "—";
        return (
          <Typography.Text ellipsis={{ tooltip: text }} style={{ maxWidth: 240 }}>
            {text}
          </Typography.Text>
        );
      },
    },
    { key: "ip", title: "IP", value: (e) => e.ip },
    { key: "before", title: "Before", value: (e) => e.before, hidden: true },
    { key: "after", title: "After", value: (e) => e.after, hidden: true },
  ];

  return (
    <div>
      <Card className="section">
        <Form<FilterValues> form={form} layout="inline" onFinish={apply} style={{ rowGap: 12 }}>
          <Form.Item name="actor" label="Who">
            <Input placeholder="email" allowClear />
          </Form.Item>
          <Form.Item name="action" label="Action">
            <Select
              placeholder="Any action"
              allowClear
              showSearch
              loading={facets.isPending}
              options={options(facets.data?.actions)}
              style={{ width: 260 }}
            />
          </Form.Item>
          <Form.Item name="entity_type" label="Entity">
            <Select
              placeholder="Any entity"
              allowClear
              showSearch
              loading={facets.isPending}
              options={options(facets.data?.entity_types)}
              style={{ width: 200 }}
            />
          </Form.Item>
          <Form.Item name="range" label="When">
            <DatePicker.RangePicker />
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit">
              Filter
            </Button>
            <Button
              onClick={() => {
                form.resetFields();
                setFilters({ limit: PAGE });
              }}
            >
              Reset
            </Button>
          </Space>
        </Form>
      </Card>
      <Card>
        <QueryView query={audit} isEmpty={(d: AuditResult) => d.items.length === 0} empty={<EmptyState description="No audit entries match." />}>
          {(d: AuditResult) => (
            <DataTable<AuditEntry>
              title={
                <Typography.Text type="secondary">
                  {d.total !== null && d.total > d.items.length
                    ? `Latest ${d.items.length} of ${d.total} entries — narrow the filters to see older ones`
                    : `${d.items.length} entries`}
                </Typography.Text>
              }
              rows={d.items}
              columns={columns}
              rowKey={(e) => String(e.id)}
              defaultSort={{ key: "at", order: "descend" }}
              csvName={csvFileName("audit", filters.start, filters.end)}
              expandable={{ expandedRowRender: (e) => <Change entry={e} /> }}
            />
          )}
        </QueryView>
      </Card>
    </div>
  );
}
