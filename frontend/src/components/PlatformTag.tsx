import { Tag } from "antd";
import { platformColor, platformLabel } from "../lib/platforms";

export function PlatformTag({ platform }: { platform: string | null | undefined }) {
  if (!platform) return null;
  const color = platformColor(platform);
  return (
    <Tag bordered={false} style={{ color, background: `${color}14`, fontWeight: 500 }}>
      {platformLabel(platform)}
    </Tag>
  );
}
