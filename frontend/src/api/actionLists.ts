import { saveBlob } from "../lib/csv";

/** Action lists (/api/action-lists/<kind>): the customers of a campaign or cohort to act on,
 * downloaded as CSV (the API streams them). */

export type ActionListKind = "likely_to_pay" | "likely_to_churn" | "suspected";

export interface ActionListScope {
  /** Acquisition dates, inclusive (YYYY-MM-DD). */
  start: string;
  end: string;
  platform?: string | null;
  account_id?: number | string | null;
  campaign_id?: number | string | null;
  campaign_external_id?: string | null;
}

export const ACTION_LISTS: { kind: ActionListKind; label: string; help: string }[] = [
  {
    kind: "likely_to_pay",
    label: "Likely to pay",
    help: "Customers who have not paid yet with at least a 50% chance of a first purchase within 30 days (first-purchase model), for a retargeting audience",
  },
  {
    kind: "likely_to_churn",
    label: "Likely to churn",
    help: "Customers the active churn model gives at least a 50% chance of not buying again, for a win-back audience",
  },
  {
    kind: "suspected",
    label: "Suspected fake",
    help: "Customers judged suspect traffic, with the signs seen in plain words, for a dispute with the ad network",
  },
];

export function actionListUrl(kind: ActionListKind, scope: ActionListScope): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(scope)) {
    if (value !== null && value !== undefined && value !== "") params.set(key, String(value));
  }
  return `/api/action-lists/${kind}?${params}`;
}

/** Fetch a list and save it as the file the API names; an answer that is not a list (4xx/5xx)
 * rejects with the API's message, so it is shown rather than saved. */
export async function downloadActionList(kind: ActionListKind, scope: ActionListScope): Promise<void> {
  const response = await fetch(actionListUrl(kind, scope), { credentials: "same-origin" });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { message?: string } | null;
    throw new Error(body?.message ?? `The list could not be made (HTTP ${response.status})`);
  }
  const disposition = response.headers.get("Content-Disposition") ?? "";
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? `${kind}.csv`;
  saveBlob(filename, await response.blob());
}
