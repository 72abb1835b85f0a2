/** Budgets between the API and the form: defaults, labels, and the conversions both ways. */
import dayjs, { type Dayjs } from "dayjs";
import type { AlertRuleInfo, Budget, BudgetInput, BudgetRules, BudgetScope, ScopeType } from "../../api/types";
import { toNumber } from "../../lib/format";
import { platformLabel } from "../../lib/platforms";

/** The rules of a new budget: each rule's defaults, as the API lists them. */
export function defaultRules(rules: AlertRuleInfo[]): BudgetRules {
  return Object.fromEntries(rules.map((r) => [r.name, structuredClone(r.defaults)]));
}

/** What the form edits: the API's shape, with the period start as a date, the target ROAS in
 * percent (120 means revenue = 1.2 × spend) and the levels as numbers. */
export interface BudgetFormValues {
  name: string;
  scope: { type: ScopeType; platform?: string | null; account_id?: number | null; campaign_id?: string | number | null };
  period: "month" | "quarter";
  period_start: Dayjs;
  amount: number | null;
  currency: string;
  recipients: string[];
  target_roas_pct?: number | null;
  rules: BudgetRules;
}

export function periodStartOf(date: Dayjs, period: "month" | "quarter"): Dayjs {
  const d = date.startOf("month");
  if (period === "month") return d;
  return d.month(Math.floor(d.month() / 3) * 3);
}

export function periodEnd(periodStart: string, period: "month" | "quarter"): string {
  return dayjs(periodStart)
    .add(period === "month" ? 1 : 3, "month")
    .subtract(1, "day")
    .format("YYYY-MM-DD");
}

export function periodLabel(periodStart: string, period: "month" | "quarter", locale?: string): string {
  const d = dayjs(periodStart);
  if (!d.isValid()) return periodStart;
  if (period === "quarter") return `Q${Math.floor(d.month() / 3) + 1} ${d.year()}`;
  return new Intl.DateTimeFormat(locale, { month: "long", year: "numeric" }).format(d.toDate());
}

export function scopeLabel(
  scope: BudgetScope | null | undefined,
  names: { accounts?: Map<string, string>; campaigns?: Map<string, string> } = {},
): string {
  if (!scope || scope.type === "all") return "All channels";
  if (scope.type === "platform") return platformLabel(scope.platform);
  if (scope.type === "account") {
    return scope.account_name ?? names.accounts?.get(String(scope.account_id)) ?? `Account #${scope.account_id}`;
  }
  return scope.campaign_name ?? names.campaigns?.get(String(scope.campaign_id)) ?? `Campaign #${scope.campaign_id}`;
}

export function newBudgetValues(currency: string, rules: AlertRuleInfo[], today: Dayjs = dayjs()): BudgetFormValues {
  return {
    name: "",
    scope: { type: "all" },
    period: "month",
    period_start: periodStartOf(today, "month"),
    amount: null,
    currency,
    recipients: [],
    target_roas_pct: null,
    rules: defaultRules(rules),
  };
}

/** A list parameter (the threshold's levels) as positive numbers, each once, in order. */
function sortedNumbers(values: unknown[]): number[] {
  return Array.from(new Set(values.map((v) => Number(v)).filter((v) => Number.isFinite(v) && v > 0))).sort((a, b) => a - b);
}

/** The rules as the API takes them: list parameters tidied (see `sortedNumbers`). */
function rulesInput(rules: BudgetRules): BudgetRules {
  return Object.fromEntries(
    Object.entries(rules).map(([name, config]) => [
      name,
      Object.fromEntries(Object.entries(config).map(([k, v]) => [k, Array.isArray(v) ? sortedNumbers(v) : v])) as BudgetRules[string],
    ]),
  );
}

export function toFormValues(budget: Budget): BudgetFormValues {
  const target = toNumber(budget.target_roas);
  return {
    name: budget.name,
    scope: {
      type: budget.scope?.type ?? "all",
      platform: budget.scope?.platform ?? null,
      account_id: budget.scope?.account_id ?? null,
      campaign_id: budget.scope?.campaign_id ?? null,
    },
    period: budget.period,
    period_start: dayjs(budget.period_start),
    amount: toNumber(budget.amount),
    currency: budget.currency,
    recipients: budget.recipients ?? [],
    target_roas_pct: target === null ? null : Math.round(target * 10000) / 100,
    // the API answers with every rule, the missing ones filled in with their defaults
    rules: structuredClone(budget.rules ?? {}),
  };
}

/** The request body: a scope carries only the keys its type needs. */
export function toBudgetInput(values: BudgetFormValues): BudgetInput {
  const { type } = values.scope;
  const scope: BudgetScope = { type };
  if (type === "platform" || type === "account" || type === "campaign") scope.platform = values.scope.platform ?? null;
  if (type === "account" || type === "campaign") scope.account_id = values.scope.account_id ?? null;
  if (type === "campaign") scope.campaign_id = values.scope.campaign_id ?? null;
  const target = values.target_roas_pct;
  return {
    name: values.name.trim(),
    scope,
    period: values.period,
    period_start: periodStartOf(values.period_start, values.period).format("YYYY-MM-DD"),
    amount: values.amount,
    currency: values.currency,
    recipients: values.recipients.map((r) => r.trim()).filter(Boolean),
    target_roas: target === null || target === undefined ? null : Math.round(target * 100) / 10000,
    rules: rulesInput(values.rules),
  };
}

/** The form field of an API field name: target ROAS is edited in percent, and a message about
 * one item of a list (recipients.2) belongs to the list's field. */
export function budgetFieldPath(field: string): string[] {
  if (field === "target_roas") return ["target_roas_pct"];
  const parts = field.split(".");
  while (parts.length > 1 && /^\d+$/.test(parts[parts.length - 1])) parts.pop();
  return parts;
}

/** What the switch of a rule that needs a target ROAS becomes when the target changes from `before` to
 * `after`: on when a target is set where there was none, off when it is cleared (the rule needs
 * one), else unchanged (null). */
export function targetRuleSwitch(before: number | null | undefined, after: number | null | undefined): boolean | null {
  const had = before !== null && before !== undefined;
  const has = after !== null && after !== undefined;
  if (!had && has) return true;
  if (had && !has) return false;
  return null;
}
