/** The global date range (default: the last 30 complete days), written to the URL. */
import { DatePicker } from "antd";
import dayjs from "dayjs";
import { rangePresets, toIsoDay } from "../lib/dates";
import { useDateRange } from "../state/report";

export function DateRangeControl() {
  const [range, setRange] = useDateRange();
  const presets = rangePresets().map((p) => {
    const r = p.range();
    return { label: p.label, value: [dayjs(r.start), dayjs(r.end)] as [dayjs.Dayjs, dayjs.Dayjs] };
  });
  return (
    <DatePicker.RangePicker
      aria-label="Date range"
      data-testid="date-range"
      allowClear={false}
      value={[dayjs(range.start), dayjs(range.end)]}
      presets={presets}
      format="MMM D, YYYY"
      disabledDate={(d) => d.isAfter(dayjs(), "day")}
      onChange={(values) => {
        if (values?.[0] && values[1]) setRange({ start: toIsoDay(values[0]), end: toIsoDay(values[1]) });
      }}
      style={{ width: 270 }}
    />
  );
}
