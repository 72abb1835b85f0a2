/** Choices for a budget's scope: the ad accounts, and the campaigns of one account. */
import { useQuery } from "@tanstack/react-query";
import dayjs from "dayjs";
import { fetchAdAccounts, fetchRoi, queryKeys } from "../../api";
import { lastDays } from "../../lib/dates";

export interface Option {
  value: string | number;
  label: string;
  platform?: string | null;
}

/** Accounts from /api/ad-accounts; when the role may not read it, from the ROI report. */
export function useAccountOptions(enabled = true) {
  const accounts = useQuery({
    queryKey: queryKeys.adAccounts,
    queryFn: ({ signal }) => fetchAdAccounts(signal),
    enabled,
    retry: false,
  });
  const range = lastDays(180, dayjs());
  const fallbackQuery = { ...range, group_by: "account" as const };
  const fallback = useQuery({
    queryKey: queryKeys.roi(fallbackQuery),
    queryFn: ({ signal }) => fetchRoi(fallbackQuery, signal),
    enabled: enabled && accounts.isError,
  });
  const options: Option[] = accounts.data
    ? accounts.data.map((a) => ({ value: a.id, label: a.name, platform: a.platform }))
    : (fallback.data?.rows ?? []).map((r) => ({
        value: Number(r.account_id ?? r.key),
        label: r.label,
        platform: r.platform,
      }));
  return { options, loading: accounts.isPending || (accounts.isError && fallback.isPending) };
}

export function useCampaignOptions(accountId: number | string | null | undefined) {
  const range = lastDays(180, dayjs());
  const query = { ...range, group_by: "campaign" as const, account_id: accountId };
  const campaigns = useQuery({
    queryKey: queryKeys.roi(query),
    queryFn: ({ signal }) => fetchRoi(query, signal),
    enabled: Boolean(accountId),
  });
  const options: Option[] = (campaigns.data?.rows ?? []).map((r) => ({
    value: r.campaign_id ?? r.key,
    label: r.label,
    platform: r.platform,
  }));
  return { options, loading: Boolean(accountId) && campaigns.isPending };
}
