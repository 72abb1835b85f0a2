/** How old the data of an account is, as a coloured dot and an age. */
import { Tooltip } from "antd";
import { toNumber, type Numeric } from "../lib/format";
import { useFormat } from "../state/useFormat";

export type FreshnessLevel = "fresh" | "late" | "stale" | "never";

/** Syncs run hourly: up to 3 h is on time, up to 24 h late, beyond that stale. */
export function freshnessLevel(hours: Numeric): FreshnessLevel {
  const h = toNumber(hours);
  if (h === null) return "never";
  if (h <= 3) return "fresh";
  if (h <= 24) return "late";
  return "stale";
}

export const FRESHNESS_COLORS: Record<FreshnessLevel, string> = {
  fresh: "#0ca678",
  late: "#f59f00",
  stale: "#e03131",
  never: "#adb5bd",
};

const LABELS: Record<FreshnessLevel, string> = {
  fresh: "Up to date",
  late: "Late",
  stale: "Stale",
  never: "Never synced",
};

export function FreshnessBadge({ hours, lastSuccess }: { hours: Numeric; lastSuccess?: string | null }) {
  const f = useFormat();
  const level = freshnessLevel(hours);
  return (
    <Tooltip title={lastSuccess ? `${LABELS[level]} — last successful sync ${f.dateTime(lastSuccess)}` : LABELS[level]}>
      <span style={{ whiteSpace: "nowrap" }}>
        <span className="status-dot" style={{ background: FRESHNESS_COLORS[level] }} />
        {level === "never" ? "never" : `${f.age(hours)} ago`}
      </span>
    </Tooltip>
  );
}
