/** The Channels drill-down: platform → account → campaign, then a campaign's breakdowns. */
export type Level = "platform" | "account" | "campaign";

/** The table's hint of what a click on a row does, or null at the deepest level (a campaign
 * chosen: its breakdowns are below, there is nothing further to open). */
export function drillHint(level: Level, campaignChosen: boolean): string | null {
  if (level === "platform") return "click a row to see its accounts";
  if (level === "account") return "click a row to see its campaigns";
  return campaignChosen ? null : "click a campaign to see its breakdowns below";
}
