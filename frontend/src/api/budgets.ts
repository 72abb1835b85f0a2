/** Budgets, their alert rules and pacing; alerts. */
import { http } from "./client";
import type { Alert, AlertRuleInfo, AlertState, Budget, BudgetInput, Pacing } from "./types";

export const fetchBudgets = (signal?: AbortSignal) => http.get<Budget[]>("/api/budgets", undefined, signal);
export const fetchBudget = (id: number) => http.get<Budget>(`/api/budgets/${id}`);
export const fetchPacing = (id: number, signal?: AbortSignal) =>
  http.get<Pacing>(`/api/budgets/${id}/pacing`, undefined, signal);
export const createBudget = (input: BudgetInput) => http.post<Budget>("/api/budgets", input);
export const updateBudget = (id: number, input: Partial<BudgetInput>) => http.patch<Budget>(`/api/budgets/${id}`, input);
export const deleteBudget = (id: number) => http.delete<void>(`/api/budgets/${id}`);

/** The alert rules, in the order of the budget form. */
export const fetchAlertRules = (signal?: AbortSignal) => http.get<AlertRuleInfo[]>("/api/alerts/rules", undefined, signal);

/** "unresolved": open or notified, i.e. not resolved (an alert stays to be dealt with once mailed). */
export type AlertFilter = AlertState | "unresolved" | "all";

export const fetchAlerts = (state: AlertFilter, signal?: AbortSignal) =>
  http.get<Alert[]>("/api/alerts", { state }, signal);
export const acknowledgeAlert = (id: number) => http.post<Alert>(`/api/alerts/${id}/acknowledge`);
/** `until` is an ISO 8601 instant. */
export const snoozeAlert = (id: number, until: string) => http.post<Alert>(`/api/alerts/${id}/snooze`, { until });
