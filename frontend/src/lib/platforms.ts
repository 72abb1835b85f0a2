/** The ad platforms as the API declares them (GET /api/platforms, from each connector package):
 * labels and colours come from there, never from a copy here. `AppLayout` loads them once per
 * session (`usePlatforms`) and renders the pages when they have arrived. */
import { useQuery } from "@tanstack/react-query";
import { fetchPlatforms } from "../api/admin";
import { queryKeys } from "../api/keys";
import type { PlatformInfo } from "../api/types";

/** Colours for series that are not platforms (cohorts, countries, …). */
export const PALETTE = [
  "#3b5bdb",
  "#0ca678",
  "#e8590c",
  "#ae3ec9",
  "#1098ad",
  "#f59f00",
  "#d6336c",
  "#5c940d",
  "#495057",
  "#74c0fc",
];

let known: PlatformInfo[] = [];

/** Remember the platforms the API declared (called by `usePlatforms`, and by tests). */
export function registerPlatforms(platforms: PlatformInfo[]): void {
  known = platforms;
}

export function knownPlatforms(): PlatformInfo[] {
  return known;
}

/** The platforms as select options: value the platform's name, label its label. */
export function platformOptions(): { value: string; label: string }[] {
  return known.map((p) => ({ value: p.platform, label: platformLabel(p.platform) }));
}

export function platformLabel(platform: string | null | undefined, fallback?: string): string {
  if (!platform) return fallback ?? "—";
  const label = known.find((p) => p.platform === platform)?.label;
  return label ?? fallback ?? platform.replace(/_/g, " ").replace(/\b\w/g, (c) => c.toUpperCase());
}

/** The platform's declared label, or undefined for a name that is not a platform. */
export function declaredLabel(key: string): string | undefined {
  return known.find((p) => p.platform === key)?.label;
}

/** What the clicks column holds where a platform names it otherwise ("Apple Search Ads reports
 * taps"), from each platform's declared `clicks_name`; undefined when every platform says clicks. */
export function clicksNote(): string | undefined {
  const other = known.filter((p) => p.clicks_name && p.clicks_name !== "clicks");
  if (other.length === 0) return undefined;
  return other.map((p) => `${platformLabel(p.platform)} reports ${p.clicks_name}`).join("; ");
}

export function platformColor(platform: string | null | undefined, index = 0): string {
  const colour = platform ? known.find((p) => p.platform === platform)?.colour : undefined;
  return colour || PALETTE[(index + 3) % PALETTE.length];
}

/** Loads the platforms once per session and registers them; `ready` once they are known. */
export function usePlatforms(enabled = true) {
  const query = useQuery({
    queryKey: queryKeys.platforms,
    queryFn: async () => {
      const platforms = await fetchPlatforms();
      registerPlatforms(platforms);
      return platforms;
    },
    staleTime: Infinity,
    enabled,
  });
  return { ...query, ready: query.isSuccess || query.isError };
}
