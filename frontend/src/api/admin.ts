/** Administration: ad accounts and their credentials, sync health, users, audit log. */
import { http } from "./client";
import type {
  AdAccount,
  AdAccountInput,
  AuditEntry,
  AuditFilters,
  AuditPage,
  ConnectionCheck,
  ManagedUser,
  PlatformInfo,
  SyncHealth,
  UserInput,
} from "./types";

export const fetchPlatforms = () => http.get<PlatformInfo[]>("/api/platforms");
export const fetchAdAccounts = (signal?: AbortSignal) => http.get<AdAccount[]>("/api/ad-accounts", undefined, signal);
export const fetchSyncHealth = (signal?: AbortSignal) => http.get<SyncHealth[]>("/api/sync-health", undefined, signal);
export const createAdAccount = (input: AdAccountInput) => http.post<AdAccount>("/api/ad-accounts", input);
/** Only the credential fields present are replaced; the others keep their stored values. */
export const updateAdAccount = (id: number, input: Partial<AdAccountInput>) =>
  http.patch<AdAccount>(`/api/ad-accounts/${id}`, input);

export const testNewConnection = (platform: string, credentials: Record<string, unknown>) =>
  http.post<ConnectionCheck>("/api/ad-accounts/test-connection", { platform, credentials });
/** Tests the stored credentials, overlaid with `credentials` when the form has changed some. */
export const testAccountConnection = (id: number, credentials?: Record<string, unknown>) =>
  http.post<ConnectionCheck>(
    `/api/ad-accounts/${id}/test-connection`,
    credentials && Object.keys(credentials).length ? { credentials } : {},
  );
export const startBackfill = (id: number, start: string, end: string) =>
  http.post<unknown>(`/api/ad-accounts/${id}/backfill`, { start, end });

export const fetchUsers = (signal?: AbortSignal) => http.get<ManagedUser[]>("/api/users", undefined, signal);
export const createUser = (input: UserInput) => http.post<ManagedUser>("/api/users", input);
export const updateUser = (id: number, input: Partial<UserInput>) => http.patch<ManagedUser>(`/api/users/${id}`, input);

/** The audit log answers a list or a page ({items, total}); both read the same here. */
export async function fetchAudit(filters: AuditFilters, signal?: AbortSignal): Promise<AuditPage> {
  const body = await http.get<AuditEntry[] | { items: AuditEntry[]; total?: number }>(
    "/api/audit",
    { ...filters },
    signal,
  );
  if (Array.isArray(body)) return { items: body, total: null };
  return { items: body.items ?? [], total: body.total ?? null };
}
