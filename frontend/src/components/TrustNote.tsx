/** A small line under a predicted figure saying how far to trust it, with the full sentence on
 * hover (texts from lib/trust). */
import { Tooltip, Typography } from "antd";

/** `wrap`: the line may break (a narrow card); in a table cell it stays one line. */
export function TrustNote({ text, tooltip, wrap = false }: { text: string | null; tooltip?: string | null; wrap?: boolean }) {
  if (!text) return null;
  const note = (
    <Typography.Text type="secondary" className="trust-note" style={{ display: "block", fontSize: 12, whiteSpace: wrap ? "normal" : "nowrap" }}>
      {text}
    </Typography.Text>
  );
  return tooltip ? <Tooltip title={tooltip}>{note}</Tooltip> : note;
}
