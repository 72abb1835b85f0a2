/**
 * The one HTTP client of the dashboard: same-origin JSON, the CSRF header on every unsafe
 * method, errors as ApiError (with per-field messages for 422), and a hook for 401.
 */

export type FieldErrors = Record<string, string[]>;

/** An error answered by the API ({code, status, message, errors?}) or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string | number | undefined;
  readonly fieldErrors: FieldErrors;
  readonly body: unknown;

  constructor(status: number, message: string, fieldErrors: FieldErrors = {}, code?: string | number, body?: unknown) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.fieldErrors = fieldErrors;
    this.body = body;
  }

  get isUnauthorized() {
    return this.status === 401;
  }

  get isForbidden() {
    return this.status === 403;
  }

  get isValidation() {
    return this.status === 422 || (this.status === 400 && Object.keys(this.fieldErrors).length > 0);
  }
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

let csrfToken: string | null = null;
const unauthorizedListeners = new Set<() => void>();

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function getCsrfToken(): string | null {
  return csrfToken;
}

/** Called when any request (other than those that expect it) is answered 401. */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue | QueryValue[]>;

export function buildUrl(path: string, query?: Query): string {
  if (!path.startsWith("/api/")) throw new Error(`API paths start with /api/: ${path}`);
  const params = new URLSearchParams();
  for (const [key, raw] of Object.entries(query ?? {})) {
    const values = Array.isArray(raw) ? raw : [raw];
    for (const v of values) {
      if (v === null || v === undefined || v === "") continue;
      params.append(key, String(v));
    }
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  /** A 401 is an expected answer here (who am I? / login): do not broadcast it. */
  expectUnauthorized?: boolean;
  /** Receives the response headers (pagination totals, …). */
  onHeaders?: (headers: Headers) => void;
}

/** Flattens nested validation errors ({rules: {threshold: {levels: [..]}}}) to dotted keys. */
export function flattenFieldErrors(errors: unknown, prefix = ""): FieldErrors {
  const out: FieldErrors = {};
  if (!errors || typeof errors !== "object") return out;
  for (const [key, value] of Object.entries(errors as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(value)) {
      const messages = value.filter((m) => typeof m === "string") as string[];
      if (messages.length) out[path] = messages;
      // Lists of nested objects: {"recipients": {"0": ["Not a valid email."]}} or [{...}]
      value.forEach((item, i) => {
        if (item && typeof item === "object") Object.assign(out, flattenFieldErrors(item, `${path}.${i}`));
      });
    } else if (typeof value === "string") {
      out[path] = [value];
    } else if (value && typeof value === "object") {
      Object.assign(out, flattenFieldErrors(value, path));
    }
  }
  return out;
}

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204) return undefined;
  const type = response.headers.get("content-type") ?? "";
  const text = await response.text();
  if (!text) return undefined;
  if (type.includes("json")) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const upper = method.toUpperCase();
  const headers: Record<string, string> = { Accept: "application/json" };
  const init: RequestInit = { method: upper, headers, credentials: "same-origin", signal: options.signal };
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.body);
  }
  if (UNSAFE.has(upper) && csrfToken) headers["X-CSRF-Token"] = csrfToken;

  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), init);
  } catch (err) {
    if ((err as Error)?.name === "AbortError") throw err;
    throw new ApiError(0, "Cannot reach the Spendlens server. Check your connection and retry.");
  }
  const body = await readBody(response);
  options.onHeaders?.(response.headers);
  if (response.ok) return body as T;

  const error = errorFrom(response.status, response.statusText, body);
  if (response.status === 401 && !options.expectUnauthorized) {
    unauthorizedListeners.forEach((listener) => listener());
  }
  throw error;
}

/** The ApiError of a non-2xx answer's status and parsed body. */
function errorFrom(status: number, statusText: string, body: unknown): ApiError {
  const payload = (body && typeof body === "object" ? body : {}) as {
    code?: string | number;
    message?: string;
    errors?: unknown;
  };
  const message =
    payload.message || (typeof body === "string" && body.length < 200 && body) || `${status} ${statusText}`;
  return new ApiError(status, message, flattenFieldErrors(payload.errors), payload.code, body);
}

export interface UploadProgress {
  loaded: number;
  total: number;
}

/**
 * Sends a file as the multipart field `file` (plus form fields), reporting the bytes sent as
 * they go (fetch cannot); answers like `request`: the JSON body, or an ApiError whose `body`
 * keeps the per-line `errors` of a rejected file.
 */
export function uploadFile<T>(
  path: string,
  file: Blob & { name?: string },
  options: { fields?: Record<string, string>; onProgress?: (p: UploadProgress) => void; signal?: AbortSignal } = {},
): Promise<T> {
  const url = buildUrl(path);
  const form = new FormData();
  form.append("file", file, file.name ?? "upload.csv");
  for (const [key, value] of Object.entries(options.fields ?? {})) form.append(key, value);
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.withCredentials = true;
    xhr.setRequestHeader("Accept", "application/json");
    if (csrfToken) xhr.setRequestHeader("X-CSRF-Token", csrfToken);
    xhr.upload.onprogress = (e) => options.onProgress?.({ loaded: e.loaded, total: e.lengthComputable ? e.total : file.size });
    xhr.onerror = () => reject(new ApiError(0, "Cannot reach the Spendlens server. Check your connection and retry."));
    xhr.onabort = () => reject(new DOMException("The upload was cancelled", "AbortError"));
    xhr.onload = () => {
      let body: unknown = xhr.responseText;
      if ((xhr.getResponseHeader("content-type") ?? "").includes("json")) {
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          /* keep the text */
        }
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(body as T);
        return;
      }
      if (xhr.status === 401) unauthorizedListeners.forEach((listener) => listener());
      reject(errorFrom(xhr.status, xhr.statusText, body));
    };
    options.signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(form);
  });
}

export const http = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>("GET", path, { query, signal }),
  post: <T>(path: string, body?: unknown) => request<T>("POST", path, { body: body ?? {} }),
  patch: <T>(path: string, body: unknown) => request<T>("PATCH", path, { body }),
  put: <T>(path: string, body: unknown) => request<T>("PUT", path, { body }),
  delete: <T>(path: string) => request<T>("DELETE", path),
};
