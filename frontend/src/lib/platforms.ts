/** Display names and colours of the ad platforms, one colour per platform on every chart. */

export const PLATFORM_LABELS: Record<string, string> = {
  meta: "Meta Ads",
  google_ads: "Google Ads",
  apple_search_ads: "Apple Search Ads",
};

export const PLATFORM_COLORS: Record<string, string> = {
  meta: "#3b5bdb",
  google_ads: "#0ca678",
  apple_search_ads: "#e8590c",
};

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

export function platformLabel(platform: string | null | undefined, fallback?: string): string {
  if (!platform) return fallback ?? "—";
  return PLATFORM_LABELS[platform] ?? fallback ?? platform.replace(/_/g, " ").replace(/\b\w/g, (c) => c.toUpperCase());
}

export function platformColor(platform: string | null | undefined, index = 0): string {
  return (platform && PLATFORM_COLORS[platform]) || PALETTE[(index + 3) % PALETTE.length];
}
