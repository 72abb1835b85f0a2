/** Names of the alert rules as people read them. */
const RULE_LABELS: Record<string, string> = {
  threshold: "Threshold crossed",
  projected_overspend: "Projected overspend",
  predicted_roas: "Predicted ROAS under target",
  anomaly: "Spend anomaly",
  stale_data: "Stale data",
  credentials: "Credentials expiring",
};

export function ruleLabel(rule: string): string {
  return RULE_LABELS[rule] ?? rule.replace(/_/g, " ");
}
