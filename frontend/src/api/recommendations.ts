/** Budget reallocation recommendations (/api/recommendations). */
import { http } from "./client";

export interface RecommendationItem {
  key: string;
  label: string;
  channel: string;
  channel_label: string;
  pooled: boolean;
  pooled_reason: string;
  action: "raise" | "cut" | "keep" | "locked";
  current_spend: number;
  recommended_spend: number;
  change: number | null;
  marginal_roas_now: number;
  marginal_roas_after: number;
  outcome_now: number;
  expected_outcome: number;
  expected_low: number;
  expected_high: number;
  reason: string;
}

export interface RecommendationTotals {
  spend: number;
  outcome: number;
  low: number;
  high: number;
  roas: number | null;
  roas_low?: number | null;
  roas_high?: number | null;
}

export interface RecommendationResult {
  mode: "budget" | "target_roas";
  total_budget: number;
  target_roas: number | null;
  currency: string;
  items: RecommendationItem[];
  current: RecommendationTotals;
  recommended: RecommendationTotals;
  gain: { outcome: number; low: number; high: number };
}

export interface ChannelCurve {
  key: string;
  label: string;
  spend: number[];
  outcome: number[];
  low: number[];
  high: number[];
  current_spend: number;
  current_outcome: number;
  recommended_spend: number;
  recommended_outcome: number;
}

export interface RecommendationBacktest {
  origin: string;
  days: number;
  coverage: number | null;
  total_error: number | null;
  mean_absolute_error: number | null;
  interval_scale: number;
  total: { predicted: number; low: number; high: number; realized: number; covered: boolean };
}

export interface RecommendationRun {
  id: number;
  status: "queued" | "running" | "ready" | "failed";
  trigger: "schedule" | "request";
  error: string | null;
  inputs: { level: string; outcome: string; horizon_days: number };
  model_version_id: number | null;
  data_start: string | null;
  data_end: string | null;
  expected_gain_share: number | null;
  created_at: string;
  finished_at: string | null;
  applied_at: string | null;
  undone_at: string | null;
  application: { period_start: string; budgets: { budget_id: number; created: boolean }[] } | null;
  result?: RecommendationResult | null;
  backtest?: RecommendationBacktest | null;
  curves?: ChannelCurve[];
}

/** The newest ready run, or none yet (`run: null`) with a message saying why. */
export interface LatestRecommendation {
  run: RecommendationRun | null;
  message: string | null;
}

export const fetchLatestRecommendation = (signal?: AbortSignal) =>
  http.get<LatestRecommendation>("/api/recommendations/latest", undefined, signal);
export const fetchRecommendationRuns = (signal?: AbortSignal) =>
  http.get<RecommendationRun[]>("/api/recommendations", undefined, signal);
export const fetchWhatIf = (id: number, totalBudget: number, signal?: AbortSignal) =>
  http.get<RecommendationResult>(`/api/recommendations/${id}/what-if`, { total_budget: totalBudget }, signal);
export const requestRecommendation = () => http.post<RecommendationRun>("/api/recommendations", {});
export const applyRecommendation = (id: number) => http.post<RecommendationRun>(`/api/recommendations/${id}/apply`);
export const undoRecommendation = (id: number) => http.post<RecommendationRun>(`/api/recommendations/${id}/undo`);
export const recommendationCsvUrl = (id: number) => `/api/recommendations/${id}/export.csv`;
