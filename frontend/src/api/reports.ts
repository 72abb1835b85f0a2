/** Read-only reports: overview, channel ROI, cohorts. */
import { http } from "./client";
import type { CohortGrain, CohortReport, Overview, RoiFilters, RoiReport } from "./types";
import type { DateRange } from "../lib/dates";

export function fetchOverview(range: DateRange, signal?: AbortSignal): Promise<Overview> {
  return http.get<Overview>("/api/overview", { ...range }, signal);
}

function roiQuery(f: RoiFilters) {
  return {
    start: f.start,
    end: f.end,
    group_by: f.group_by,
    platform: f.platform,
    account_id: f.account_id,
    campaign_id: f.campaign_id,
  };
}

export async function fetchRoi(filters: RoiFilters, signal?: AbortSignal): Promise<RoiReport> {
  const report = await http.get<RoiReport>("/api/roi", roiQuery(filters), signal);
  return { ...report, rows: report.rows ?? [], totals: report.totals ?? {} };
}

export interface CohortFilters extends DateRange {
  cohort: CohortGrain;
  platform?: string | null;
}

export async function fetchCohorts(filters: CohortFilters, signal?: AbortSignal): Promise<CohortReport> {
  const report = await http.get<CohortReport>("/api/cohorts", { ...filters }, signal);
  return { ...report, cohorts: report.cohorts ?? [], model: report.model ?? null };
}
