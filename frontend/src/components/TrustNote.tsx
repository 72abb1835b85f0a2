/** A small line under a predicted figure saying how far to trust it, with the full sentence on
 * hover (texts from lib/trust). */
import { Tooltip, Typography } from "antd";

export function TrustNote({ text, tooltip }: { text: string | null; tooltip?: string | null }) {
  if (!text) return null;
  const note = (
    <Typography.Text type="secondary" className="trust-note" style={{ display: "block", fontSize: 12, whiteSpace: "nowrap" }}>
      {text}
    </Typography.Text>
  );
  return tooltip ? <Tooltip title={tooltip}>{note}</Tooltip> : note;
}
