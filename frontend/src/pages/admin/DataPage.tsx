/** Data uploads: what customer data is loaded, and CSV uploads of customers, revenue events,
 * in-app events and exchange rates (the same files the API and the CLI load). */
import { Card, Col, Descriptions, Row, Typography } from "antd";
import { useQuery } from "@tanstack/react-query";
import { fetchCustomerSummary, queryKeys } from "../../api";
import type { CustomerSummary } from "../../api/types";
import { QueryView } from "../../components/QueryView";
import { platformLabel } from "../../lib/platforms";
import { useFormat } from "../../state/useFormat";
import { UploadCard } from "./data/UploadCard";

function Summary({ summary }: { summary: CustomerSummary }) {
  const f = useFormat(summary.reporting_currency);
  const byPlatform = Object.entries(summary.customers_by_platform ?? {})
    .sort((a, b) => b[1] - a[1])
    .map(([p, n]) => `${platformLabel(p)} ${f.integer(n)}`)
    .join(" · ");
  return (
    <Descriptions size="small" column={3} data-testid="customer-summary">
      <Descriptions.Item label="Customers">{f.integer(summary.customers)}</Descriptions.Item>
      <Descriptions.Item label="Acquired">
        {summary.first_acquisition ? `${f.date(summary.first_acquisition)} – ${f.date(summary.last_acquisition)}` : "—"}
      </Descriptions.Item>
      <Descriptions.Item label="Linked to a campaign">
        {f.integer(summary.customers_linked_to_campaigns ?? 0)} of {f.integer(summary.customers)}
      </Descriptions.Item>
      <Descriptions.Item label="Revenue events">{f.integer(summary.revenue_events)}</Descriptions.Item>
      <Descriptions.Item label="Revenue">{f.money(summary.revenue_reporting)}</Descriptions.Item>
      <Descriptions.Item label="Last event">{summary.last_event_at ? f.dateTime(summary.last_event_at) : "—"}</Descriptions.Item>
      <Descriptions.Item label="In-app events">{f.integer(summary.in_app_events ?? 0)}</Descriptions.Item>
      <Descriptions.Item label="Last in-app event" span={2}>
        {summary.last_in_app_event_at ? f.dateTime(summary.last_in_app_event_at) : "—"}
      </Descriptions.Item>
      {byPlatform && (
        <Descriptions.Item label="Customers by source" span={3}>
          {byPlatform}
        </Descriptions.Item>
      )}
    </Descriptions>
  );
}

export default function DataPage() {
  const summary = useQuery({ queryKey: queryKeys.customerSummary, queryFn: ({ signal }) => fetchCustomerSummary(signal) });
  return (
    <div>
      <div className="page-toolbar">
        <Typography.Text type="secondary">
          Files are checked whole before anything is stored: a file with a problem loads nothing, and lists its problems
          by line. Loading a file again changes nothing; changed rows are updated.
        </Typography.Text>
      </div>
      <Card title="Loaded so far" className="section">
        <QueryView query={summary}>{(data: CustomerSummary) => <Summary summary={data} />}</QueryView>
      </Card>
      <Row gutter={16}>
        <Col span={12}>
          <UploadCard
            kind="customers"
            title="Customers"
            columns={
              <>
                Columns: <code>customer_id</code>, <code>acquired_at</code> (ISO 8601) required; <code>platform</code>,{" "}
                <code>account_external_id</code>, <code>campaign_external_id</code>, <code>country</code>,{" "}
                <code>device</code> optional.
              </>
            }
          />
        </Col>
        <Col span={12}>
          <UploadCard
            kind="revenue"
            title="Revenue events"
            columns={
              <>
                Columns: <code>event_id</code>, <code>customer_id</code>, <code>occurred_at</code> (ISO 8601),{" "}
                <code>amount</code> (negative for a refund), <code>currency</code> (ISO 4217). Converted to the reporting
                currency at the rate of the event’s day.
              </>
            }
          />
        </Col>
      </Row>
      <Row gutter={16}>
        <Col span={12}>
          <UploadCard
            kind="events"
            title="In-app events"
            columns={
              <>
                Columns: <code>event_id</code>, <code>customer_id</code>, <code>occurred_at</code> (ISO 8601),{" "}
                <code>name</code> required; <code>value</code> (a number) and <code>properties</code> (a JSON object)
                optional. The early signals of first purchase and traffic quality.
              </>
            }
          />
        </Col>
        <Col span={12}>
          <UploadCard
            kind="fx"
            title="Exchange rates"
            overwriteLabel="Replace rates already stored (otherwise a file that changes one loads nothing)"
            columns={
              <>
                The ECB reference format: a <code>Date</code> column (YYYY-MM-DD), then one column per currency (units
                per euro).
              </>
            }
          />
        </Col>
      </Row>
    </div>
  );
}
