/** Customer data, revenue, exchange rates and model versions: what admins load and manage. */
import { http, uploadFile, type UploadProgress } from "./client";
import type { CustomerSummary, FxLoadResult, LoadResult, ModelVersion } from "./types";

export type UploadKind = "customers" | "revenue" | "events" | "fx";

const UPLOAD_PATHS: Record<UploadKind, string> = {
  customers: "/api/customers/upload",
  revenue: "/api/revenue/upload",
  events: "/api/events/upload",
  fx: "/api/fx-rates/upload",
};

/** Uploads a CSV of customers, revenue events, in-app events or exchange rates, reporting the bytes sent. */
export function uploadCsv(
  kind: UploadKind,
  file: File,
  onProgress?: (p: UploadProgress) => void,
  fields?: Record<string, string>,
) {
  return uploadFile<LoadResult | FxLoadResult>(UPLOAD_PATHS[kind], file, { onProgress, fields });
}

export const fetchCustomerSummary = (signal?: AbortSignal) =>
  http.get<CustomerSummary>("/api/customers/summary", undefined, signal);

export const fetchModelVersions = (signal?: AbortSignal) =>
  http.get<ModelVersion[]>("/api/models", { limit: 100 }, signal);
/** Queues a training; the answer is the new version, in "training" until the worker is done. */
export const trainModel = (input: { as_of?: string | null; holdout_days?: number | null }) =>
  http.post<ModelVersion>("/api/models/train", input);
/** Queues a first-purchase training (it also follows every LTV training). */
export const trainFirstPurchaseModel = (input: { as_of?: string | null }) =>
  http.post<ModelVersion>("/api/models/first-purchase/train", input);
/** Asks for a version to become active; a worker carries it out (202). */
export const activateModelVersion = (id: number) => http.post<ModelVersion>(`/api/models/${id}/activate`);
