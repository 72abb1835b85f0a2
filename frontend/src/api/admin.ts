/** Administration: ad accounts and their credentials, sync health, users, audit log. */
import dayjs from "dayjs";
import { http, request } from "./client";
import type {
  AdAccount,
  AdAccountInput,
  AuditEntry,
  AuditFacets,
  AuditFilters,
  AuditPage,
  ConnectionCheck,
  CredentialsSchema,
  ManagedUser,
  PlatformInfo,
  SyncHealth,
  SyncRequest,
  UserInput,
} from "./types";

/** The API answers {platform, label, colour, restatement_days, default_concurrency, clicks_name,
 * available, configuration_schema, secret_fields, message}; older drafts {platform, label, schema}. Both read as PlatformInfo, with the secrets in the schema. */
export async function fetchPlatforms(): Promise<PlatformInfo[]> {
  const raw = await http.get<RawPlatform[]>("/api/platforms");
  return raw.map((p) => {
    const schema = (p.schema ?? p.configuration_schema ?? null) as CredentialsSchema | null;
    const secret = Array.from(new Set([...(schema?.secret ?? []), ...(p.secret_fields ?? [])]));
    return {
      platform: p.platform,
      label: p.label,
      colour: p.colour,
      restatement_days: p.restatement_days,
      default_concurrency: p.default_concurrency,
      clicks_name: p.clicks_name,
      available: p.available ?? Boolean(schema),
      message: p.message ?? null,
      schema: { ...(schema ?? {}), properties: schema?.properties ?? {}, secret },
    };
  });
}

interface RawPlatform {
  platform: string;
  label?: string;
  colour?: string;
  restatement_days?: number;
  default_concurrency?: number;
  clicks_name?: string;
  available?: boolean;
  message?: string | null;
  schema?: CredentialsSchema | null;
  configuration_schema?: CredentialsSchema | null;
  secret_fields?: string[];
}
export const fetchAdAccounts = (signal?: AbortSignal) => http.get<AdAccount[]>("/api/ad-accounts", undefined, signal);
export const fetchSyncHealth = (signal?: AbortSignal) => http.get<SyncHealth[]>("/api/sync-health", undefined, signal);
export const createAdAccount = (input: AdAccountInput) => http.post<AdAccount>("/api/ad-accounts", input);
/** name, status and credentials only; credential fields left out (or sent as their mask) keep
 * their stored values. */
export const updateAdAccount = (
  id: number,
  input: { name?: string; status?: string; credentials?: Record<string, unknown> },
) => http.patch<AdAccount>(`/api/ad-accounts/${id}`, input);

/** Tests credentials before they are saved and, given the account id, that they read it. */
export const testNewConnection = (platform: string, credentials: Record<string, unknown>, externalId?: string) =>
  http.post<ConnectionCheck>("/api/ad-accounts/test-connection", {
    platform,
    credentials,
    ...(externalId ? { external_id: externalId } : {}),
  });
/** Tests the stored credentials of an account. */
export const testAccountConnection = (id: number) =>
  http.post<ConnectionCheck>(`/api/ad-accounts/${id}/test-connection`);
export const startBackfill = (id: number, start: string, end: string) =>
  http.post<unknown>(`/api/ad-accounts/${id}/backfill`, { start, end });
/** Queues a sync of the restatement window and any day never fetched. */
export const startSync = (id: number) => http.post<unknown>(`/api/ad-accounts/${id}/sync`);
/** The account's latest syncs and backfills, newest first, with their progress. */
export const fetchSyncRequests = (id: number, signal?: AbortSignal) =>
  http.get<SyncRequest[]>(`/api/ad-accounts/${id}/sync-requests`, { limit: 20 }, signal);

export const fetchUsers = (signal?: AbortSignal) => http.get<ManagedUser[]>("/api/users", undefined, signal);
export const createUser = (input: UserInput) => http.post<ManagedUser>("/api/users", input);
export const updateUser = (id: number, input: Partial<UserInput>) => http.patch<ManagedUser>(`/api/users/${id}`, input);

/** Local midnight of a calendar day as an ISO instant with its zone (the API wants aware times). */
function dayStart(day: string): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(y, m - 1, d).toISOString();
}

/** The actions and entity types in the audit log, for its filters. */
export const fetchAuditFacets = (signal?: AbortSignal) => http.get<AuditFacets>("/api/audit/facets", undefined, signal);

/**
 * The audit log, newest first: GET /api/audit?actor&action&entity_type&since&until&page&page_size.
 * The total comes in the X-Pagination header ({"total": n, ...}); a {items, total} body reads too.
 */
export async function fetchAudit(filters: AuditFilters, signal?: AbortSignal): Promise<AuditPage> {
  let total: number | null = null;
  // Until the next local midnight (not + 24 h, which a DST change would shift).
  const until = filters.end ? dayjs(filters.end).add(1, "day").startOf("day").toISOString() : undefined;
  const body = await request<AuditEntry[] | { items: AuditEntry[]; total?: number }>("GET", "/api/audit", {
    signal,
    query: {
      actor: filters.actor,
      action: filters.action,
      entity_type: filters.entity_type,
      since: filters.start ? dayStart(filters.start) : undefined,
      until,
      page: filters.page ?? 1,
      page_size: filters.limit ?? 500,
    },
    onHeaders: (headers) => {
      try {
        const pagination = JSON.parse(headers.get("X-Pagination") ?? "null");
        if (pagination && typeof pagination.total === "number") total = pagination.total;
      } catch {
        /* no pagination header */
      }
    },
  });
  if (Array.isArray(body)) return { items: body, total };
  return { items: body.items ?? [], total: body.total ?? total };
}
