/** Shows an API validation error (422 with per-field messages) on the fields of an antd form. */
import type { FormInstance } from "antd";
import { ApiError } from "../api/client";

export type NamePath = (string | number)[];

/** "rules.threshold.levels" → ["rules", "threshold", "levels"]; "recipients.0" → ["recipients", 0]. */
export function toNamePath(field: string): NamePath {
  return field.split(".").map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/**
 * Puts each field message on its form field; returns the messages that match no field (and the
 * error's own message when there are none) so the caller can show them above the form.
 */
export function applyFieldErrors(
  form: FormInstance,
  error: unknown,
  mapField: (field: string) => NamePath | null = toNamePath,
): string[] {
  if (!(error instanceof ApiError)) return [error instanceof Error ? error.message : String(error)];
  const unmatched: string[] = [];
  const fields: { name: NamePath; errors: string[] }[] = [];
  const registered = new Set(form.getFieldsError().map((f) => f.name.join(".")));
  for (const [field, messages] of Object.entries(error.fieldErrors)) {
    const name = mapField(field);
    if (name && registered.has(name.join("."))) fields.push({ name, errors: messages });
    else unmatched.push(...messages.map((m) => (field === "_schema" || field === "" ? m : `${field}: ${m}`)));
  }
  if (fields.length) form.setFields(fields);
  if (!fields.length && !unmatched.length) unmatched.push(error.message);
  return unmatched;
}
