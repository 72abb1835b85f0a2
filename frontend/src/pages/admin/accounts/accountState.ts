/** What state an ad account is in, as an admin should read it: its stored status alone says
 * "active" for an account whose every sync fails. */
import type { AdAccount, SyncHealth } from "../../../api/types";

export type AccountStateKey = "failing" | "needs_credentials" | "disabled" | "syncing" | "never_synced" | "active";

export interface AccountState {
  key: AccountStateKey;
  label: string;
  color: string;
  /** The full error behind a failing state. */
  error: string | null;
}

export function accountState(account: AdAccount, health: SyncHealth | null | undefined): AccountState {
  const error = health?.last_error ?? account.last_error ?? null;
  if (account.status === "disabled") return { key: "disabled", label: "disabled", color: "default", error };
  if (account.status === "needs_credentials") {
    return { key: "needs_credentials", label: "needs credentials", color: "red", error };
  }
  if (health?.last_status === "failed" || (error && !health?.last_success_at)) {
    return { key: "failing", label: "sync failing", color: "red", error };
  }
  if (!health?.last_success_at) {
    return (health?.pending_runs ?? 0) > 0
      ? { key: "syncing", label: "first sync running", color: "blue", error: null }
      : { key: "never_synced", label: "never synced", color: "orange", error: null };
  }
  return { key: "active", label: "active", color: "green", error: null };
}

export const SYNC_KINDS: Record<string, string> = {
  initial: "First sync",
  scheduled: "Scheduled sync",
  manual: "Sync now",
  backfill: "Backfill",
};

/** "1 min 12 s", "850 ms". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${ms} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
