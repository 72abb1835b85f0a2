/** The words of the Traffic quality page: a campaign's name and its reasons as a marketer reads them. */
import type { CampaignQuality } from "../../api/traffic";

export interface ReasonLine {
  key: string;
  label: string;
  suspects: number;
}

/** The reasons of a campaign's suspects, the most frequent first, in the API's plain words. */
export function reasonLines(row: CampaignQuality, labels: Record<string, string>): ReasonLine[] {
  return Object.entries(row.reasons ?? {})
    .filter(([, count]) => count > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([key, suspects]) => ({ key, label: labels[key] ?? key.replace(/_/g, " "), suspects }));
}

/** The platform part of "platform:ad_account_id:campaign_external_id". */
export function campaignPlatform(row: CampaignQuality): string {
  return row.campaign.split(":")[0] ?? "";
}

/** The campaign's name, else its id on the platform. */
export function campaignTitle(row: CampaignQuality): string {
  return row.campaign_name || row.campaign_external_id || "Customers without a campaign";
}

/** Whether a campaign had enough customers to judge (older answers say nothing: judged). */
export function isJudged(row: CampaignQuality): boolean {
  return row.judged !== false;
}

/** "2 of 14 campaigns have more than 10% suspect customers over the last 7 days, even at the
 * low end of their 95% interval. 3 had too few installs to judge." */
export function flaggedSentence(rows: CampaignQuality[], sharePct: number, days: number): string {
  const flagged = rows.filter((r) => r.flagged).length;
  const unjudged = rows.filter((r) => !isJudged(r)).length;
  const period = `over the last ${days} day${days === 1 ? "" : "s"}`;
  const tail = unjudged === 0 ? "" : ` ${unjudged} ${unjudged === 1 ? "campaign had" : "had"} too few installs to judge.`;
  if (flagged === 0) {
    return `No campaign has clearly more than ${sharePct}% suspect customers ${period}.${tail}`;
  }
  const of = `${flagged} of ${rows.length} campaign${rows.length === 1 ? "" : "s"}`;
  return `${of} ${flagged === 1 ? "has" : "have"} more than ${sharePct}% suspect customers ${period}, even at the low end of ${flagged === 1 ? "its" : "their"} interval.${tail}`;
}
