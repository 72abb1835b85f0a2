/** The Spendlens API: typed functions, one module per area, and the TanStack Query keys. */
export * from "./client";
export * from "./auth";
export * from "./reports";
export * from "./budgets";
export * from "./admin";
export * from "./data";
export * from "./traffic";
export * from "./actionLists";
export type * from "./types";
export { queryKeys } from "./keys";
