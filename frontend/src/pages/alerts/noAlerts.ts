/** What "no open alerts" means: budgets on track only when there are budgets to watch. */
import { useQuery } from "@tanstack/react-query";
import { fetchBudgets, queryKeys } from "../../api";

export function noOpenAlertsText(budgetCount: number | null): string {
  if (budgetCount === null) return "No active alerts.";
  if (budgetCount === 0) return "No active alerts: no budget is set yet, so there is nothing to watch. Set one on the Budgets page.";
  return budgetCount === 1 ? "No active alerts. The budget is on track." : "No active alerts. Budgets are on track.";
}

/** The empty-state text of open alerts, from the number of budgets (every role reads them). */
export function useNoOpenAlertsText(): string {
  const budgets = useQuery({ queryKey: queryKeys.budgets, queryFn: ({ signal }) => fetchBudgets(signal) });
  return noOpenAlertsText(budgets.data ? budgets.data.length : null);
}
