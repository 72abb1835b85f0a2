/** How old the customers of a report are: actual ROAS counts their revenue to date, so a range
 * of young customers reads low until they have had time to pay. */
import { Typography } from "antd";
import { ClockCircleOutlined } from "@ant-design/icons";
import dayjs from "dayjs";
import type { RoiReport } from "../../api/types";

/** [youngest, oldest] age in days of customers acquired start..end, seen on asOf; null when the
 * range ends after asOf entirely. */
export function cohortAges(start: string, end: string, asOf: string): [number, number] | null {
  const oldest = dayjs(asOf).diff(dayjs(start), "day");
  if (oldest < 0) return null;
  return [Math.max(0, dayjs(asOf).diff(dayjs(end), "day")), oldest];
}

export function CohortAgeNote({ report }: { report: Pick<RoiReport, "start" | "end" | "as_of"> }) {
  if (!report.start || !report.end || !report.as_of) return null;
  const ages = cohortAges(report.start, report.end, report.as_of);
  if (!ages) return null;
  const [young, old] = ages;
  const immature = young < 30;
  return (
    <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: "0 0 8px" }} data-testid="cohort-age">
      <ClockCircleOutlined style={{ marginRight: 6 }} />
      Customers acquired in this range are {young === old ? `${old}` : `${young}–${old}`} days old.{" "}
      {immature
        ? "ROAS and revenue count what they have paid so far and keep rising as they pay: compare rows of this table with each other, not with an older range. Revenue D7 and D30 are complete once every customer is that old."
        : "ROAS and revenue count what they have paid so far."}
    </Typography.Paragraph>
  );
}
