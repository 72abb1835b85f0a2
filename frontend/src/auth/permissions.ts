/** What each role may see and do in the dashboard (the API enforces the same on its side). */
import type { Role } from "../api/types";

export type Permission =
  | "viewReports"
  | "viewBudgets"
  | "editBudgets"
  | "viewAlerts"
  | "actOnAlerts"
  | "administer";

const GRANTS: Record<Role, readonly Permission[]> = {
  admin: ["viewReports", "viewBudgets", "editBudgets", "viewAlerts", "actOnAlerts", "administer"],
  finance: ["viewReports", "viewBudgets", "editBudgets", "viewAlerts", "actOnAlerts"],
  marketer: ["viewReports", "viewBudgets", "viewAlerts"],
};

export function can(role: Role | null | undefined, permission: Permission): boolean {
  return Boolean(role && GRANTS[role]?.includes(permission));
}

export const ROLE_LABELS: Record<Role, string> = {
  admin: "Admin",
  finance: "Finance",
  marketer: "Marketer",
};

export const ROLES: Role[] = ["admin", "finance", "marketer"];
