import { Tag } from "antd";

const COLORS: Record<string, string> = { critical: "red", warning: "orange", info: "blue" };

export function SeverityTag({ severity }: { severity: string }) {
  return (
    <Tag color={COLORS[severity] ?? "default"} bordered={false} style={{ textTransform: "capitalize" }}>
      {severity}
    </Tag>
  );
}
