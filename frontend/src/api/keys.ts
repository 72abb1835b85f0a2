/** TanStack Query keys, in one place so that mutations invalidate the right reports. */
import type { AuditFilters, RoiFilters } from "./types";
import type { CohortFilters } from "./reports";
import type { DateRange } from "../lib/dates";
import type { AlertFilter } from "./budgets";
import type { TrafficFilters } from "./traffic";

export const queryKeys = {
  session: ["session"] as const,
  overview: (range: DateRange) => ["overview", range.start, range.end] as const,
  roi: (f: RoiFilters) => ["roi", f] as const,
  cohorts: (f: CohortFilters) => ["cohorts", f] as const,
  budgets: ["budgets"] as const,
  pacing: (id: number) => ["budgets", id, "pacing"] as const,
  alerts: (state: AlertFilter) => ["alerts", state] as const,
  alertsAll: ["alerts"] as const,
  alertRules: ["alert-rules"] as const,
  platforms: ["platforms"] as const,
  adAccounts: ["ad-accounts"] as const,
  syncHealth: ["sync-health"] as const,
  syncRequests: (accountId: number) => ["sync-requests", accountId] as const,
  users: ["users"] as const,
  audit: (f: AuditFilters) => ["audit", f] as const,
  auditFacets: ["audit-facets"] as const,
  customerSummary: ["customer-summary"] as const,
  modelVersions: ["model-versions"] as const,
  trafficQuality: (f: TrafficFilters) => ["traffic-quality", f] as const,
  suspicionRules: ["traffic-quality", "reasons"] as const,
};
