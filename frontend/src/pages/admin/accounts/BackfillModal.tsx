/** Queue a backfill of an account over a date range. */
import { useState } from "react";
import { Alert, App, DatePicker, Modal, Typography } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { queryKeys, startBackfill } from "../../../api";
import type { AdAccount } from "../../../api/types";
import { toIsoDay } from "../../../lib/dates";

export function BackfillModal({
  account,
  onClose,
  onQueued,
}: {
  account: AdAccount | null;
  onClose: () => void;
  /** Called with the account once its backfill is queued (to follow its progress). */
  onQueued?: (account: AdAccount) => void;
}) {
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [range, setRange] = useState<[Dayjs, Dayjs]>([dayjs().subtract(90, "day"), dayjs().subtract(1, "day")]);
  const run = useMutation({
    mutationFn: () => startBackfill(account!.id, toIsoDay(range[0]), toIsoDay(range[1])),
    onSuccess: () => {
      message.success(`Backfill of ${account?.name} queued; its progress is shown under its syncs`);
      void queryClient.invalidateQueries({ queryKey: queryKeys.syncHealth });
      if (account) {
        void queryClient.invalidateQueries({ queryKey: queryKeys.syncRequests(account.id) });
        onQueued?.(account);
      }
      onClose();
    },
  });
  return (
    <Modal
      title={account ? `Backfill ${account.name}` : ""}
      open={Boolean(account)}
      onCancel={onClose}
      onOk={() => run.mutate()}
      okText="Start backfill"
      confirmLoading={run.isPending}
      destroyOnClose
    >
      <Typography.Paragraph type="secondary">
        Fetches every day of the range again from the platform and replaces what is stored. Large ranges are split into
        chunks and run in the background.
      </Typography.Paragraph>
      <DatePicker.RangePicker
        value={range}
        allowClear={false}
        disabledDate={(d) => d.isAfter(dayjs(), "day")}
        onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])}
        style={{ width: "100%" }}
      />
      {run.isError && <Alert type="error" showIcon message={run.error.message} style={{ marginTop: 12 }} />}
    </Modal>
  );
}
