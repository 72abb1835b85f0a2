/** Traffic quality (/api/traffic-quality): each campaign's share of suspect customers. */
import { http } from "./client";

export interface CampaignQuality {
  /** "platform:ad_account_id:campaign_external_id" */
  campaign: string;
  campaign_external_id: string | null;
  campaign_name: string | null;
  customers: number;
  suspects: number;
  /** Suspects ÷ customers (0.12 = 12%). */
  share: number;
  /** The share's 95% Wilson interval. */
  share_low?: number;
  share_high?: number;
  /** Enough customers to judge the share (SuspicionRules.min_customers). */
  judged?: boolean;
  /** Judged, and the interval's lower bound is above the level. */
  flagged: boolean;
  /** Reason → suspects it was raised for. */
  reasons: Record<string, number>;
}

export interface SuspicionRules {
  /** Reason → its plain words. */
  reasons: Record<string, string>;
  suspect_score: number;
  share_pct: number;
  days: number;
  /** Customers a campaign needs before its share is judged. */
  min_customers?: number;
  /** Of the share's interval (0.95). */
  confidence?: number;
}

export interface TrafficFilters {
  days: number;
  share_pct: number;
}

export function fetchTrafficQuality(filters: TrafficFilters, signal?: AbortSignal): Promise<CampaignQuality[]> {
  return http.get<CampaignQuality[]>("/api/traffic-quality", { ...filters }, signal);
}

export function fetchSuspicionRules(signal?: AbortSignal): Promise<SuspicionRules> {
  return http.get<SuspicionRules>("/api/traffic-quality/reasons", undefined, signal);
}

export const suspectsCsvUrl = (f: TrafficFilters) =>
  `/api/traffic-quality/suspects.csv?${new URLSearchParams({ days: String(f.days), share_pct: String(f.share_pct) })}`;
