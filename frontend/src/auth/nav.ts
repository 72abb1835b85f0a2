/** The navigation of the dashboard and who sees which entry. */
import type { Role } from "../api/types";
import { can, type Permission } from "./permissions";

export interface NavItem {
  path: string;
  label: string;
  icon: "overview" | "channels" | "cohorts" | "traffic" | "budgets" | "recommendations" | "alerts" | "accounts" | "data" | "models" | "users" | "audit";
  permission: Permission;
  group?: "admin";
}

export const NAV_ITEMS: readonly NavItem[] = [
  { path: "/overview", label: "Overview", icon: "overview", permission: "viewReports" },
  { path: "/channels", label: "Channels & campaigns", icon: "channels", permission: "viewReports" },
  { path: "/cohorts", label: "Cohorts & LTV", icon: "cohorts", permission: "viewReports" },
  { path: "/traffic", label: "Traffic quality", icon: "traffic", permission: "viewReports" },
  { path: "/budgets", label: "Budgets & pacing", icon: "budgets", permission: "viewBudgets" },
  { path: "/recommendations", label: "Reallocation", icon: "recommendations", permission: "viewBudgets" },
  { path: "/alerts", label: "Alerts", icon: "alerts", permission: "viewAlerts" },
  { path: "/admin/accounts", label: "Ad accounts", icon: "accounts", permission: "administer", group: "admin" },
  { path: "/admin/data", label: "Data uploads", icon: "data", permission: "administer", group: "admin" },
  { path: "/admin/models", label: "Model versions", icon: "models", permission: "administer", group: "admin" },
  { path: "/admin/users", label: "Users & roles", icon: "users", permission: "administer", group: "admin" },
  { path: "/admin/audit", label: "Audit log", icon: "audit", permission: "administer", group: "admin" },
];

export function navItemsFor(role: Role | null | undefined): NavItem[] {
  return NAV_ITEMS.filter((item) => can(role, item.permission));
}

/** The permission a path needs (the longest matching entry), or null for open paths. */
export function permissionFor(pathname: string): Permission | null {
  const match = NAV_ITEMS.filter((i) => pathname === i.path || pathname.startsWith(`${i.path}/`)).sort(
    (a, b) => b.path.length - a.path.length,
  )[0];
  if (match) return match.permission;
  return pathname.startsWith("/admin") ? "administer" : null;
}
