/**
 * The credentials form is generated from a connector's JSON schema ({properties, required,
 * secret}). Secrets are write-only: the API answers them masked, the form never shows or sends
 * the mask, and an empty secret field on an existing account keeps the stored value.
 */
import type { CredentialsSchema, JsonSchemaProperty } from "../../api/types";

export interface CredentialField {
  name: string;
  label: string;
  help?: string;
  property: JsonSchemaProperty;
  required: boolean;
  secret: boolean;
  multiline: boolean;
}

const ACRONYMS: Record<string, string> = { id: "ID", url: "URL", api: "API", pem: "PEM", oauth: "OAuth" };

export function humanize(name: string): string {
  const words = name.split(/[_\s]+/).filter(Boolean);
  return words
    .map((w, i) => ACRONYMS[w.toLowerCase()] ?? (i === 0 ? w[0].toUpperCase() + w.slice(1) : w))
    .join(" ");
}

/** Looks like a value the API masked ("••••1234", "********"). */
export function isMasked(value: unknown): boolean {
  return typeof value === "string" && /[•*●]{3,}/.test(value);
}

export function credentialFields(schema: CredentialsSchema | null | undefined): CredentialField[] {
  if (!schema?.properties) return [];
  const required = new Set(schema.required ?? []);
  const secret = new Set(schema.secret ?? []);
  const names = schema.order?.length
    ? [...schema.order.filter((n) => n in schema.properties), ...Object.keys(schema.properties).filter((n) => !schema.order!.includes(n))]
    : Object.keys(schema.properties);
  return names.map((name) => {
    const property = schema.properties[name] ?? {};
    const format = (property.format ?? "").toLowerCase();
    return {
      name,
      label: property.title ?? humanize(name),
      help: property.description,
      property,
      required: required.has(name),
      secret: secret.has(name) || format === "password",
      multiline: Boolean(property.multiline) || ["textarea", "pem", "multiline"].includes(format) || /private_key|pem/.test(name),
    };
  });
}

/** Values the form starts with: stored non-secret values; secrets always start empty. */
export function initialCredentialValues(
  fields: CredentialField[],
  stored: Record<string, unknown> | null | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = stored?.[field.name];
    if (field.secret || isMasked(value)) continue;
    if (value !== undefined && value !== null) out[field.name] = value;
    else if (field.property.default !== undefined) out[field.name] = field.property.default;
  }
  return out;
}

/** Whether a secret already has a stored value (the API returned its mask). */
export function hasStoredSecret(stored: Record<string, unknown> | null | undefined, name: string): boolean {
  const value = stored?.[name];
  return value !== undefined && value !== null && value !== "";
}

function empty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}

/**
 * The `credentials` to send. New accounts send every filled field. Existing accounts send the
 * non-secret fields and only the secrets the user typed; a mask is never sent back.
 */
export function credentialsPayload(
  fields: CredentialField[],
  values: Record<string, unknown> | null | undefined,
  stored?: Record<string, unknown> | null,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    let value = values?.[field.name];
    if (empty(value)) continue;
    if (field.secret && (isMasked(value) || (stored && value === stored[field.name]))) continue;
    if (field.property.type === "integer" || field.property.type === "number") {
      const n = Number(value);
      if (Number.isFinite(n)) value = field.property.type === "integer" ? Math.trunc(n) : n;
    } else if (typeof value === "string" && !field.secret) {
      value = value.trim();
    }
    out[field.name] = value;
  }
  return out;
}
