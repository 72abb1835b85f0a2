/** The alert rules as the API serves them (their labels, descriptions and parameter schemas). */
import { useQuery } from "@tanstack/react-query";
import { fetchAlertRules, queryKeys } from "../../api";
import type { AlertRuleInfo } from "../../api/types";

/** The rules, fetched once per session (they change only with a release). */
export function useAlertRules() {
  return useQuery({ queryKey: queryKeys.alertRules, queryFn: ({ signal }) => fetchAlertRules(signal), staleTime: Infinity });
}

/** A rule's label; a name the API does not list (yet, or any more) reads as words. */
export function ruleLabelOf(rules: AlertRuleInfo[] | undefined, rule: string): string {
  return rules?.find((r) => r.name === rule)?.label ?? rule.replace(/_/g, " ");
}

/** `ruleLabel(name)` with the API's labels. */
export function useRuleLabel(): (rule: string) => string {
  const { data } = useAlertRules();
  return (rule: string) => ruleLabelOf(data, rule);
}
