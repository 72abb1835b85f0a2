/** A small line under a predicted figure saying how far to trust it, with the full sentence on
 * hover (texts from lib/trust). */
import { Tooltip, Typography } from "antd";

/** `wrap`: the line may break (a narrow card); otherwise it stays one line, except under a table's
 * figure, where it wraps within the cell's note width (DataTable's CellNote, styles.css). */
export function TrustNote({ text, tooltip, wrap = false }: { text: string | null; tooltip?: string | null; wrap?: boolean }) {
  if (!text) return null;
  const note = (
    <Typography.Text type="secondary" className={wrap ? "trust-note trust-note-wrap" : "trust-note"} style={{ display: "block", fontSize: 12 }}>
      {text}
    </Typography.Text>
  );
  return tooltip ? <Tooltip title={tooltip}>{note}</Tooltip> : note;
}
