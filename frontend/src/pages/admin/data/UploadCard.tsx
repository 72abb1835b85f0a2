/** Upload one CSV (customers, revenue events or exchange rates): the bytes sent as they go, then
 * what was loaded, or why nothing was, line by line in file order. */
import { useState, type ReactNode } from "react";
import { Alert, Button, Card, Checkbox, Progress, Space, Table, Typography, Upload } from "antd";
import { UploadOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { ApiError, queryKeys, uploadCsv, type UploadKind } from "../../../api";
import type { FxLoadResult, LoadResult } from "../../../api/types";
import { problemRows, type ProblemRow } from "../../../lib/problems";
import { useFormat } from "../../../state/useFormat";

type Outcome =
  | { state: "idle" }
  | { state: "sending"; file: string; percent: number; loaded: number; total: number }
  | { state: "loaded"; file: string; result: LoadResult | FxLoadResult }
  | { state: "rejected"; file: string; message: string; problems: ProblemRow[] };

function isFx(result: LoadResult | FxLoadResult): result is FxLoadResult {
  return "currencies" in result;
}

function kilobytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function LoadedSummary({ result }: { result: LoadResult | FxLoadResult }) {
  const f = useFormat();
  if (isFx(result)) {
    return (
      <>
        {f.integer(result.rows)} rates of {result.currencies.join(", ") || "no currency"}
        {result.first_date && ` from ${f.date(result.first_date)} to ${f.date(result.last_date)}`}.
        {result.overwritten ? ` ${f.integer(result.overwritten)} stored rates replaced (in the audit log).` : ""}
      </>
    );
  }
  return (
    <>
      {f.integer(result.rows)} {result.rows === 1 ? "row" : "rows"}: {f.integer(result.inserted)} new, {f.integer(result.updated)} updated,{" "}
      {f.integer(result.unchanged)} unchanged.
    </>
  );
}

export function UploadCard({
  kind,
  title,
  columns,
  overwriteLabel,
}: {
  kind: UploadKind;
  title: string;
  columns: ReactNode;
  /** Offers to replace stored values (the API refuses a change to them otherwise). */
  overwriteLabel?: string;
}) {
  const [outcome, setOutcome] = useState<Outcome>({ state: "idle" });
  const [overwrite, setOverwrite] = useState(false);
  const queryClient = useQueryClient();

  const send = async (file: File) => {
    setOutcome({ state: "sending", file: file.name, percent: 0, loaded: 0, total: file.size });
    try {
      const result = await uploadCsv(
        kind,
        file,
        ({ loaded, total }) =>
          setOutcome({
            state: "sending",
            file: file.name,
            percent: total ? Math.min(100, Math.round((loaded / total) * 100)) : 0,
            loaded,
            total,
          }),
        overwriteLabel ? { overwrite: String(overwrite) } : undefined,
      );
      setOutcome({ state: "loaded", file: file.name, result });
      void queryClient.invalidateQueries({ queryKey: queryKeys.customerSummary });
    } catch (err) {
      const body = err instanceof ApiError ? (err.body as { errors?: unknown } | undefined) : undefined;
      setOutcome({
        state: "rejected",
        file: file.name,
        message: (err as Error).message,
        problems: problemRows(body?.errors),
      });
    }
  };

  const sending = outcome.state === "sending";
  return (
    <Card title={title} data-testid={`upload-${kind}`} className="section">
      <Space direction="vertical" size={12} style={{ width: "100%" }}>
        <Typography.Text type="secondary">{columns}</Typography.Text>
        {overwriteLabel && (
          <Checkbox checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} disabled={sending}>
            {overwriteLabel}
          </Checkbox>
        )}
        <Upload
          accept=".csv,text/csv"
          showUploadList={false}
          disabled={sending}
          beforeUpload={(file) => {
            void send(file);
            return false;
          }}
        >
          <Button icon={<UploadOutlined />} loading={sending}>
            Choose a CSV file…
          </Button>
        </Upload>
        {outcome.state === "sending" && (
          <div>
            <Typography.Text>
              Sending {outcome.file}: {kilobytes(outcome.loaded)} of {kilobytes(outcome.total)}
              {outcome.percent === 100 && " — the server is checking and loading it…"}
            </Typography.Text>
            <Progress percent={outcome.percent} status="active" aria-label={`Upload of ${outcome.file}`} />
          </div>
        )}
        {outcome.state === "loaded" && (
          <Alert
            type="success"
            showIcon
            data-testid="upload-result"
            message={`${outcome.file} loaded`}
            description={<LoadedSummary result={outcome.result} />}
          />
        )}
        {outcome.state === "rejected" && (
          <>
            <Alert
              type="error"
              showIcon
              data-testid="upload-result"
              message={`${outcome.file} was not loaded`}
              description={outcome.message}
            />
            {outcome.problems.length > 0 && (
              <Table<ProblemRow>
                data-testid="upload-problems"
                size="small"
                pagination={false}
                scroll={{ y: 320 }}
                rowKey={(r) => `${r.record}|${r.field}|${r.message}`}
                dataSource={outcome.problems}
                columns={[
                  { key: "record", title: "Where", dataIndex: "record", width: 110 },
                  {
                    key: "field",
                    title: "Column",
                    dataIndex: "field",
                    width: 170,
                    render: (v: string) => <span className="mono">{v || "—"}</span>,
                  },
                  { key: "message", title: "Problem", dataIndex: "message" },
                ]}
              />
            )}
          </>
        )}
      </Space>
    </Card>
  );
}
