/**
 * Shapes of the Spendlens API as the dashboard reads them. Money may arrive as a JSON number or
 * as an exact decimal string; `Numeric` accepts both and the formatters read either.
 */
import type { Numeric } from "../lib/format";

export type { Numeric };
export type Role = "admin" | "marketer" | "finance";
/** A platform's name as the registry declares it (GET /api/platforms lists them). */
export type Platform = string;

export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
}

export interface Session {
  user: User;
  csrf_token: string;
}

// ---- overview -------------------------------------------------------------------------------

export interface KpiSet {
  spend: Numeric;
  revenue: Numeric;
  roas: Numeric;
  predicted_roas: Numeric;
  installs: Numeric;
  cpi: Numeric;
  [metric: string]: Numeric;
}

export interface SeriesPoint {
  date: string;
  platform: Platform;
  spend: Numeric;
  revenue: Numeric;
  /** Revenue of that day's customers in their first `comparable.days` days; null while younger. */
  revenue_at_age?: Numeric;
}

/** Revenue and ROAS of a range at a fixed cohort age (like with like). */
export interface ComparableFigures {
  start: string;
  end: string;
  spend: Numeric;
  revenue: Numeric;
  roas: Numeric;
}

export interface Comparable {
  /** The age compared at (days since acquisition). */
  days: number;
  /** Last day of the range whose customers are that old; null when none is. */
  through: string | null;
  current: ComparableFigures | null;
  previous: ComparableFigures | null;
}

export interface FreshnessEntry {
  account_id: number;
  platform: Platform;
  name: string;
  status?: string;
  last_success_at: string | null;
  freshness_hours: Numeric;
  data_through?: string | null;
  last_error?: string | null;
}

export interface Overview {
  currency: string;
  /** The day cohort ages are counted to. */
  as_of?: string;
  current: KpiSet;
  previous: KpiSet;
  comparable?: Comparable;
  series: SeriesPoint[];
  open_alerts: number;
  freshness: FreshnessEntry[];
}

// ---- ROI ------------------------------------------------------------------------------------

export type GroupBy = "platform" | "account" | "campaign" | "country" | "device" | "weekday" | "hour";

export interface RoiMetrics {
  spend: Numeric;
  impressions: Numeric;
  clicks: Numeric;
  installs: Numeric;
  cpi: Numeric;
  customers: Numeric;
  cac: Numeric;
  revenue: Numeric;
  revenue_d7: Numeric;
  revenue_d30: Numeric;
  d7_complete: boolean | null;
  d30_complete: boolean | null;
  roas: Numeric;
  predicted_ltv: Numeric;
  predicted_roas: Numeric;
  ltv_cac: Numeric;
  payback_days: Numeric;
  churn_rate: Numeric;
  /** Customers traffic quality judged suspect, and their share of the customers. */
  suspects?: Numeric;
  suspect_share?: Numeric;
  /** Spend (all of it) ÷ the customers that are not suspect. */
  cac_excluding_suspects?: Numeric;
  /** Revenue of the customers that are not suspect ÷ spend (all of it). */
  roas_excluding_suspects?: Numeric;
  /** How far to trust predicted_ltv and predicted_roas (absent from APIs without it). */
  accuracy?: PredictionAccuracy | null;
  predicted_roas_interval?: { low: number; high: number } | null;
  /** The backtest of LTV at ltv_horizon (LTV:CAC's). */
  ltv_cac_accuracy?: PredictionAccuracy | null;
  /** The backtest of the revenue a predicted payback rests on; null when observed. */
  payback_accuracy?: PredictionAccuracy | null;
  /** Early figures of the customers acquired in the range's young days. */
  early?: EarlyFigures | null;
  /** The one predicted ROAS the page shows, with its horizon, source and backtested error. */
  prediction?: Prediction | null;
}

/** The one predicted ROAS a row shows (backend.services.predictions.shown_roas): the LTV
 * model's, or for a young row the early one where its stored backtest is the better at the
 * row's age. */
export interface Prediction {
  roas: number | null;
  /** Days of revenue it predicts: 365 (LTV model) or 30 (early signals). */
  horizon_days: number;
  source: "ltv" | "early";
  /** The age its backtested error is read at (D1, D3, ...). */
  age_bucket: string | null;
  /** Its backtested error at that age, percent; null when not judged. */
  error_pct: number | null;
  interval?: { low: number; high: number } | null;
  /** For a row both models predict: their backtested errors on the same horizon and age. */
  compared?: PredictionComparison | null;
}

export interface PredictionComparison {
  horizon_days: number;
  /** Customers per weekly cohort the first-purchase backtest judged (the LTV error's size). */
  cohort_customers: number | null;
  ltv_age_bucket: string | null;
  ltv_error_pct: number | null;
  early_age_bucket: string | null;
  early_error_pct: number | null;
}

/** How far to trust the predicted ROAS of a set of KPIs (the overview's). */
export interface PredictedRoasTrust {
  accuracy?: PredictionAccuracy | null;
  predicted_roas_interval?: { low: number; high: number } | null;
  /** Early figures of the range's days too young for revenue history. */
  early?: EarlyFigures | null;
  /** The one predicted ROAS shown (the ROI report's totals'), with its horizon, source and error. */
  prediction?: Prediction | null;
}

/** The backtested error of early figures at the age (D1, D3) a cohort was scored at. */
export interface EarlyAccuracy {
  age_bucket: string;
  horizon_days: number;
  /** Mean error per weekly cohort in the backtest, percent. */
  expected_payers_err_pct: number | null;
  predicted_roas_err_pct: number | null;
  auc?: number | null;
  brier?: number | null;
  weeks?: number;
  /** Customers judged (not yet paid at that age) over those weeks. */
  customers?: number;
}

/** Expected payers and the early predicted ROAS of customers too young for revenue history
 * (from the first-purchase model): expected payers × value per payer ÷ spend. */
export interface EarlyFigures {
  from: string;
  to: string;
  customers: number;
  scored: number;
  expected_payers_7: number | null;
  expected_payers_30: number | null;
  value_per_payer: Numeric;
  spend: Numeric;
  predicted_roas: number | null;
  horizon_days: number;
  accuracy: EarlyAccuracy | null;
  model_version_id?: number;
  scored_as_of?: string;
}

export interface FirstPurchaseModelInfo {
  id: number;
  scored_as_of: string;
  horizon_days: number;
  early_age_days: number;
  value_per_payer: number | null;
  by_age: Record<string, Record<string, number | null>>;
  trained_at?: string | null;
  /** First acquisition day of the customers it was trained on. */
  training_start?: string | null;
  /** The backtest's report origin: fitted on the data up to it, judged on the customers
   * acquired in the `judged_days` before it. */
  backtest_origin?: string | null;
  judged_days?: number | null;
  /** The backtest at each feature age (D1, D3), at horizon_days. */
  accuracy?: EarlyAccuracy[];
}

export interface RoiRow extends RoiMetrics {
  key: string;
  label: string;
  platform?: Platform | null;
  account_id?: number | null;
  campaign_id?: number | string | null;
}

export interface RoiReport {
  currency: string;
  group_by: GroupBy;
  start?: string;
  end?: string;
  /** The day revenue to date and the customers' ages run to. */
  as_of?: string;
  /** Days of predicted LTV and predicted ROAS. */
  horizon?: number;
  /** Days of the lifetime value in LTV:CAC. */
  ltv_horizon?: number;
  /** Share of revenue that is margin (payback, LTV:CAC). */
  margin_rate?: number;
  /** Why figures are missing, if any. */
  note?: string | null;
  rows: RoiRow[];
  totals: Partial<RoiMetrics>;
  /** The active churn model's backtest (churn_rate's model). */
  churn_accuracy?: ChurnAccuracy | null;
  /** The customers' age (days, middle of the range) the accuracy is read at. */
  age_days?: number;
  /** [first, last] day of the range whose cohorts get early figures. */
  early_range?: [string, string] | null;
  first_purchase_model?: FirstPurchaseModelInfo | null;
}

export interface RoiFilters {
  start: string;
  end: string;
  group_by: GroupBy;
  platform?: string | null;
  account_id?: number | string | null;
  campaign_id?: number | string | null;
}

// ---- cohorts --------------------------------------------------------------------------------

export type CohortGrain = "day" | "week" | "month";

export interface ModelInfo {
  id: number | string;
  kind: string;
  algorithm?: string | null;
  trained_at: string | null;
  /** First acquisition day of the customers it was trained on, and the data's last day. */
  training_start?: string | null;
  scored_as_of?: string | null;
  /** Horizon (days) of the page's predictions. */
  horizon_days?: number;
  /** Per cohort age at prediction, the backtested error of the longest horizon judged up to
   * horizon_days, with the report origin it was judged at. */
  by_age?: (PredictionAccuracy & { origin?: string | null })[];
  churn_version_id?: number | null;
  metrics: Record<string, Numeric>;
}

export interface Cohort {
  cohort: string;
  platform: Platform | null;
  customers: Numeric;
  spend: Numeric;
  curve: { day: number; revenue: Numeric; predicted: Numeric }[];
  roas_actual: Numeric;
  roas_predicted: Numeric;
  payback_days: Numeric;
  churn_rate: Numeric;
  /** Customers judged suspect traffic, and their share of the cohort's customers. */
  suspects?: Numeric;
  suspect_share?: Numeric;
  /** Kaplan-Meier share still buying on each day lived; `observed`: from observed churn alone
   * (otherwise it includes the churn model's prediction for customers not yet settled). */
  survival: { day: number; p: Numeric; observed?: boolean }[];
  /** Traits whose customers of this cohort the model predicts to churn more often. */
  churn_drivers?: ChurnDriver[];
  /** Days from the middle of the cohort's period to today (APIs with backtested accuracy). */
  age_days?: number;
  /** How far to trust roas_predicted (and its LTV, LTV:CAC) at this cohort's age, from the
   * active model's backtest; null when the backtest could not judge that age, absent when the
   * API does not report accuracy. */
  accuracy?: PredictionAccuracy | null;
  roas_predicted_interval?: { low: number; high: number } | null;
  payback_accuracy?: PredictionAccuracy | null;
  /** How far to trust churn_rate: the churn backtest among customers of this cohort's age. */
  churn_accuracy?: ChurnAgeAccuracy | null;
  /** For a cohort too young for revenue history: expected payers and early predicted ROAS. */
  early?: EarlyFigures | null;
  /** The one predicted ROAS the page shows, with its horizon, source and backtested error. */
  prediction?: Prediction | null;
}

export interface PredictionAccuracy {
  /** LTV horizon judged (days from acquisition). */
  horizon_days: number;
  /** Cohort age at prediction time: D1, D3, D7, D14, D30, D90, D365. */
  age_bucket: string;
  /** Median |predicted / actual - 1| of cohort totals in the backtest (0.18 = ±18%). */
  error_p50: number | null;
  error_p80: number | null;
  bias: number | null;
  normalized_gini?: number | null;
  cohorts?: number;
  customers?: number;
  /** Customers of the backtest's median cohort at that age. */
  cohort_customers?: number | null;
  /** The error of a cohort of the row's customers, and the band of actual ÷ predicted. */
  sized?: { customers: number; error_p50: number | null; error_p80: number | null; low_ratio: number | null; high_ratio: number | null } | null;
}

export interface ChurnDriver {
  trait?: string;
  feature?: string;
  importance?: number | null;
  churn_ratio: number;
  churn_rate_with?: number;
  churn_rate_without?: number;
  customers_with?: number;
  sentence: string;
}

export interface ChurnAccuracy {
  horizon_days: number | null;
  auc: number | null;
  pr_auc?: number | null;
  brier?: number | null;
  model?: string | null;
  /** Mean predicted churn of the customers the backtest judged, and the share that churned. */
  predicted_rate?: number | null;
  observed_rate?: number | null;
  customers?: number | null;
  /** Per channel, the traits that drive churn (when the API reports them here). */
  drivers?: Record<string, ChurnDriver[]> | null;
  /** The same backtest among the customers of each cohort age (youngest first). */
  by_age?: ChurnAgeAccuracy[];
  /** The backtest at the customers' age the report reads it at (`age_days`), when judged. */
  at_age?: ChurnAgeAccuracy | null;
}

/** The churn backtest among customers of one cohort age at prediction time. */
export interface ChurnAgeAccuracy {
  /** D1, D3, D7, D14, D30, D90, D365. */
  age_bucket: string;
  /** Null when every customer of that age churned, or none did. */
  auc: number | null;
  pr_auc?: number | null;
  brier?: number | null;
  predicted_rate?: number | null;
  observed_rate?: number | null;
  customers?: number;
}

export interface CohortReport {
  currency: string;
  model: ModelInfo | null;
  cohorts: Cohort[];
  /** The active churn model's backtest; absent when the API does not report it. */
  churn_accuracy?: ChurnAccuracy | null;
  /** Per channel, the traits that drive churn, one sentence each. */
  churn_drivers?: Record<string, ChurnDriver[]> | null;
  first_purchase_model?: FirstPurchaseModelInfo | null;
}

// ---- budgets --------------------------------------------------------------------------------

export type ScopeType = "all" | "platform" | "account" | "campaign";

export interface BudgetScope {
  type: ScopeType;
  platform?: string | null;
  account_id?: number | null;
  campaign_id?: number | string | null;
  /** Display names, when the API adds them. */
  account_name?: string | null;
  campaign_name?: string | null;
}

/** A budget's configuration of one alert rule: on or off, and the rule's parameters. */
export interface RuleConfig {
  enabled: boolean;
  [parameter: string]: boolean | number | string | number[] | null;
}

/** A budget's rules by name (GET /api/alerts/rules lists them). */
export type BudgetRules = Record<string, RuleConfig>;

/** One property of a rule's parameter schema (JSON schema, as the API's OpenAPI document). */
export interface RuleParameter {
  type?: "number" | "integer" | "array" | "string" | "boolean";
  title?: string;
  description?: string;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  items?: RuleParameter;
  "x-unit"?: string;
}

/** An alert rule as the API serves it: everything the budget form and the alert lists know of it. */
export interface AlertRuleInfo {
  name: string;
  label: string;
  description: string;
  enabled_by_default: boolean;
  defaults: RuleConfig;
  parameters: { type: "object"; properties: Record<string, RuleParameter>; required?: string[] };
  needs_target_roas: boolean;
}

export interface MapeSet {
  d5?: Numeric;
  d10?: Numeric;
  d20?: Numeric;
  [checkpoint: string]: Numeric;
}

export interface Pacing {
  /** Last complete day counted (the period's last once it is over). */
  as_of?: string;
  /** Last day whose spend is in: no later than the day every synced account of the scope has
   * been fetched through (accounts report late). */
  data_through?: string | null;
  spend_to_date: Numeric;
  expected_to_date: Numeric;
  /** Days of the period counted, and all its days. */
  elapsed_days?: number;
  period_days?: number;
  pace_pct: Numeric;
  required_daily: Numeric;
  projected: Numeric;
  projected_low: Numeric;
  projected_high: Numeric;
  method: "seasonal" | "linear" | (string & {});
  mape: { seasonal?: MapeSet | null; linear?: MapeSet | null } | null;
  series: { date: string; spend: Numeric; cumulative: Numeric; expected: Numeric }[];
}

export interface BudgetInput {
  name: string;
  scope: BudgetScope;
  period: "month" | "quarter";
  period_start: string;
  amount: Numeric;
  currency: string;
  recipients: string[];
  target_roas?: Numeric;
  rules: BudgetRules;
}

export interface Budget extends BudgetInput {
  id: number;
  pacing?: Pacing | null;
}

// ---- alerts ---------------------------------------------------------------------------------

export type AlertState = "open" | "notified" | "resolved";

export interface Alert {
  id: number;
  rule: string;
  budget_id: number | null;
  budget_name: string | null;
  scope: BudgetScope | string | null;
  period: string | null;
  state: AlertState | (string & {});
  severity: "info" | "warning" | "critical" | (string & {});
  message: string;
  /** The message's point in a line, without the budget's name. */
  summary?: string;
  figures: Record<string, unknown> | null;
  provisional: boolean;
  created_at: string;
  notified_at: string | null;
  resolved_at: string | null;
  acknowledged_at: string | null;
  snoozed_until: string | null;
}

// ---- administration -------------------------------------------------------------------------

export interface JsonSchemaProperty {
  type?: "string" | "integer" | "number" | "boolean";
  title?: string;
  description?: string;
  default?: unknown;
  enum?: (string | number)[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  /** Hint for long values such as a PEM key. */
  multiline?: boolean;
}

export interface CredentialsSchema {
  type?: "object";
  properties: Record<string, JsonSchemaProperty>;
  required?: string[];
  secret?: string[];
  order?: string[];
}

export interface PlatformInfo {
  platform: Platform;
  label?: string;
  /** The colour of the platform's series (CSS hex). */
  colour?: string;
  restatement_days?: number;
  default_concurrency?: number;
  /** What the platform calls what Spendlens stores as clicks ("taps" on Apple Search Ads). */
  clicks_name?: string;
  /** false when the connector cannot be used here (`message` says why). */
  available?: boolean;
  message?: string | null;
  schema: CredentialsSchema;
}

export type AccountStatus = "active" | "disabled" | "needs_credentials" | (string & {});

export interface AdAccount {
  id: number;
  platform: Platform;
  external_id: string;
  name: string;
  currency: string;
  timezone: string;
  status: AccountStatus;
  credentials: Record<string, unknown>;
  credentials_expire_at: string | null;
  last_error: string | null;
}

export interface AdAccountInput {
  platform: string;
  external_id: string;
  name: string;
  /** Read from the platform when omitted. */
  currency?: string;
  timezone?: string;
  status?: AccountStatus;
  credentials?: Record<string, unknown>;
}

export interface Reconciliation {
  platform_spend: Numeric;
  stored_spend: Numeric;
  diff: Numeric;
  diff_pct: Numeric;
  flagged: boolean;
}

export interface SyncHealth {
  account_id: number;
  platform: Platform;
  name: string;
  status: AccountStatus;
  currency?: string;
  last_success_at: string | null;
  freshness_hours: Numeric;
  data_through?: string | null;
  provisional_from: string | null;
  provisional_days: Numeric;
  last_error: string | null;
  last_status?: string | null;
  pending_runs?: number | null;
  credentials_expire_at: string | null;
  credentials_expire_in_days?: number | null;
  reconciliation: Reconciliation | null;
}

export type SyncStatus = "queued" | "running" | "succeeded" | "failed";

/** One sync or backfill of an account, with the chunks it was split into summed up. */
export interface SyncRequest {
  id: number;
  kind: "initial" | "scheduled" | "manual" | "backfill" | string;
  requested_at: string;
  status: SyncStatus;
  window_start: string;
  window_end: string;
  days: number;
  days_done: number;
  days_failed: number;
  runs: number;
  runs_done: number;
  runs_failed: number;
  runs_running: number;
  rows: number;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  /** Per chunk with an error; "queued": being retried; "retried": lost, another run took over. */
  errors: {
    window_start: string;
    window_end: string;
    status: SyncStatus | "retried";
    error: string;
    error_kind: string | null;
  }[];
}

export interface ConnectionCheck {
  ok: boolean;
  message: string;
  /** How many ad accounts the credentials read. */
  accounts?: number | null;
  expires_at?: string | null;
  /** What a failure is about: the credentials, or the account id they do not read. */
  field?: "credentials" | "external_id" | null;
  /** The account tested for, as the platform describes it. */
  account?: { external_id: string; name: string; currency: string; timezone: string } | null;
}

export interface ManagedUser extends User {
  is_active?: boolean;
  last_login_at?: string | null;
  created_at?: string | null;
}

export interface UserInput {
  email: string;
  name: string;
  role: Role;
  password?: string;
  is_active?: boolean;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor_id: number | null;
  actor_email: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  /** The entity as people name it (a budget's name, a user's email); null when unknown. */
  entity_name?: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  ip: string | null;
}

export interface AuditFilters {
  actor?: string;
  action?: string;
  entity_type?: string;
  start?: string;
  end?: string;
  limit?: number;
  page?: number;
}

export interface AuditFacets {
  actions: string[];
  entity_types: string[];
}

export interface AuditPage {
  items: AuditEntry[];
  total: number | null;
}

/** What a customers or revenue upload did. */
export interface LoadResult {
  kind: string;
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
}

/** What an exchange-rate upload loaded. */
export interface FxLoadResult {
  rows: number;
  currencies: string[];
  first_date: string | null;
  last_date: string | null;
  /** Stored rates replaced (an overwrite). */
  overwritten?: number;
}

export interface CustomerSummary {
  customers: number;
  first_acquisition: string | null;
  last_acquisition: string | null;
  customers_by_platform?: Record<string, number>;
  customers_linked_to_campaigns?: number;
  revenue_events: number;
  last_event_at: string | null;
  revenue_reporting: Numeric;
  reporting_currency?: string;
  revenue_events_by_fx_status?: Record<string, number>;
  in_app_events?: number;
  last_in_app_event_at?: string | null;
}

export interface ModelVersion {
  id: number;
  kind: "ltv" | "churn" | string;
  algorithm: string;
  status: "training" | "ready" | "failed" | string;
  is_active: boolean;
  activation_requested_at: string | null;
  trained_at: string | null;
  training_start: string | null;
  training_end: string | null;
  holdout_start: string | null;
  holdout_end: string | null;
  params: Record<string, unknown>;
  /** Whatever the training measured; shown generically. */
  metrics: Record<string, unknown>;
  source: string;
  created_at: string | null;
}
