/** Seeded demo data for the mock API: accounts, campaigns, daily facts, cohorts, budgets, alerts. */
import { readFileSync } from "node:fs";

/** The alert rules as the API lists them (kept equal to the backend's by a backend test). */
export const alertRules = JSON.parse(readFileSync(new URL("../src/test/alertRules.json", import.meta.url), "utf8"));

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY = 86400e3;
const iso = (d) => d.toISOString().slice(0, 10);
const addDays = (s, n) => iso(new Date(Date.parse(`${s}T00:00:00Z`) + n * DAY));
const daysBetween = (a, b) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY);
const round = (v, d = 2) => (v === null || !Number.isFinite(v) ? null : Math.round(v * 10 ** d) / 10 ** d);
const div = (a, b) => (b ? a / b : null);

const FX = { USD: 1, EUR: 1.08, JPY: 0.0067 };
const WEEKDAY = [0.86, 1.04, 1.07, 1.06, 1.03, 0.97, 0.9]; // Sun..Sat
const COUNTRIES = [["US", 0.42], ["GB", 0.12], ["DE", 0.1], ["FR", 0.08], ["JP", 0.09], ["CA", 0.07], ["BR", 0.07], ["AU", 0.05]];
const DEVICES = [["iOS", 0.56], ["Android", 0.38], ["Desktop", 0.06]];
const HOURS = Array.from({ length: 24 }, (_, h) => [String(h), 0.4 + Math.sin(((h - 6) / 24) * Math.PI * 2 - Math.PI / 2) * -0.35 + (h >= 19 && h <= 22 ? 0.25 : 0)]);
const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

const ACCOUNTS = [
  { id: 1, platform: "meta", external_id: "act_1029384756", name: "Acme Apps — Meta US", currency: "USD", timezone: "America/New_York", scale: 1900, roas: 1.18, cpi: 2.9 },
  { id: 2, platform: "meta", external_id: "act_5647382910", name: "Acme Apps — Meta EU", currency: "EUR", timezone: "Europe/Berlin", scale: 900, roas: 1.05, cpi: 2.4 },
  { id: 3, platform: "google_ads", external_id: "482-193-5561", name: "Acme Search & UAC", currency: "USD", timezone: "America/Los_Angeles", scale: 1500, roas: 1.42, cpi: 3.4 },
  { id: 4, platform: "google_ads", external_id: "771-402-8813", name: "Acme UAC Japan", currency: "JPY", timezone: "Asia/Tokyo", scale: 65000, roas: 0.92, cpi: 410 },
  { id: 5, platform: "apple_search_ads", external_id: "4410092", name: "Acme Apple Search Ads", currency: "USD", timezone: "America/Los_Angeles", scale: 700, roas: 1.64, cpi: 2.1 },
];

const CAMPAIGN_NAMES = {
  meta: ["Prospecting — Broad", "Lookalike 1% Purchasers", "Retargeting — 30d visitors", "Advantage+ App", "Creative test — UGC"],
  google_ads: ["Brand — Exact", "Generic — Budgeting app", "UAC — Installs", "UAC — Purchases (tROAS)"],
  apple_search_ads: ["Brand — Exact", "Competitor keywords", "Search tab — Discovery"],
};

export function dataset(now) {
  const rand = rng(20240521);
  const today = iso(now);
  const first = addDays(today, -420);
  const campaigns = [];
  let cid = 100;
  for (const a of ACCOUNTS) {
    const names = CAMPAIGN_NAMES[a.platform].slice(0, a.id === 4 ? 2 : undefined);
    names.forEach((name, i) => {
      campaigns.push({ id: ++cid, account_id: a.id, platform: a.platform, name, share: 0.5 + rand(), roas: a.roas * (0.7 + rand() * 0.6), cpi: a.cpi * (0.75 + rand() * 0.5), i });
    });
  }
  // Daily facts per campaign, in USD (reporting currency).
  const facts = [];
  for (const c of campaigns) {
    const a = ACCOUNTS.find((x) => x.id === c.account_id);
    const total = campaigns.filter((x) => x.account_id === a.id).reduce((s, x) => s + x.share, 0);
    for (let d = 0; d <= daysBetween(first, addDays(today, -1)); d++) {
      const date = addDays(first, d);
      const wd = new Date(`${date}T00:00:00Z`).getUTCDay();
      const trend = 0.75 + (d / 420) * 0.45;
      const native = (a.scale * c.share) / total * WEEKDAY[wd] * trend * (0.85 + rand() * 0.3);
      const spend = native * FX[a.currency];
      const installs = native / c.cpi * (0.9 + rand() * 0.2);
      const revenue = spend * c.roas * (0.8 + rand() * 0.4);
      facts.push({ date, wd, campaign_id: c.id, account_id: a.id, platform: a.platform, spend, installs, revenue });
    }
  }

  function inRange(f, range, filters = {}) {
    return (
      f.date >= range.start &&
      f.date <= range.end &&
      (!filters.platform || f.platform === filters.platform) &&
      (!filters.account_id || String(f.account_id) === String(filters.account_id)) &&
      (!filters.campaign_id || String(f.campaign_id) === String(filters.campaign_id))
    );
  }

  function metrics(rows, end, weight = 1) {
    const spend = rows.reduce((s, f) => s + f.spend, 0) * weight;
    const installs = rows.reduce((s, f) => s + f.installs, 0) * weight;
    const revenue = rows.reduce((s, f) => s + f.revenue, 0) * weight;
    const customers = installs * 0.085;
    const predictedLtv = div(revenue * 1.9, customers);
    const cac = div(spend, customers);
    const predictedRoas = div(revenue * 1.9, spend);
    const age = daysBetween(end, today);
    return {
      spend: round(spend),
      impressions: Math.round(spend * 118),
      clicks: Math.round(spend * 118 * 0.0142),
      installs: Math.round(installs),
      cpi: round(div(spend, installs)),
      customers: Math.round(customers),
      cac: round(cac),
      revenue: round(revenue),
      revenue_d7: round(revenue * 0.36),
      revenue_d30: round(revenue * 0.71),
      d7_complete: age >= 7,
      d30_complete: age >= 30,
      roas: round(div(revenue, spend), 4),
      predicted_ltv: round(predictedLtv),
      predicted_roas: round(predictedRoas, 4),
      ltv_cac: round(div(predictedLtv, cac), 3),
      payback_days: predictedRoas && predictedRoas > 1 ? Math.round(34 / Math.max(0.12, div(revenue, spend) ?? 0.1)) : null,
      churn_rate: round(0.22 + (1.6 - Math.min(1.6, div(revenue, spend) ?? 0)) * 0.18, 4),
    };
  }

  function roi({ start, end, group_by, platform, account_id, campaign_id }) {
    const range = { start: start ?? addDays(today, -30), end: end ?? addDays(today, -1) };
    const rows = facts.filter((f) => inRange(f, range, { platform, account_id, campaign_id }));
    const groups = new Map();
    const add = (key, label, extra, f, w = 1) => {
      if (!groups.has(key)) groups.set(key, { key, label, ...extra, rows: [], w });
      groups.get(key).rows.push(f);
    };
    const out = [];
    if (["platform", "account", "campaign"].includes(group_by)) {
      for (const f of rows) {
        if (group_by === "platform") add(f.platform, { meta: "Meta Ads", google_ads: "Google Ads", apple_search_ads: "Apple Search Ads" }[f.platform], { platform: f.platform }, f);
        if (group_by === "account") add(String(f.account_id), ACCOUNTS.find((a) => a.id === f.account_id).name, { platform: f.platform, account_id: f.account_id }, f);
        if (group_by === "campaign") add(String(f.campaign_id), campaigns.find((c) => c.id === f.campaign_id).name, { platform: f.platform, account_id: f.account_id, campaign_id: f.campaign_id }, f);
      }
      for (const g of groups.values()) out.push({ key: g.key, label: g.label, platform: g.platform, account_id: g.account_id, campaign_id: g.campaign_id, ...metrics(g.rows, range.end) });
    } else if (group_by === "weekday") {
      for (let wd = 1; wd <= 7; wd++) {
        const d = wd % 7;
        out.push({ key: String(wd), label: DAY_NAMES[d], ...metrics(rows.filter((f) => f.wd === d), range.end) });
      }
    } else {
      const parts = group_by === "country" ? COUNTRIES : group_by === "device" ? DEVICES : HOURS;
      const total = parts.reduce((s, [, w]) => s + w, 0);
      for (const [key, w] of parts) {
        const m = metrics(rows, range.end, w / total);
        const tilt = group_by === "country" ? { US: 1.15, JP: 0.7, BR: 0.55, GB: 1.05 }[key] ?? 0.95 : group_by === "device" ? { iOS: 1.2, Android: 0.8, Desktop: 0.9 }[key] : 1;
        m.revenue = round(m.revenue * tilt);
        m.roas = round(div(m.revenue, m.spend), 4);
        out.push({ key, label: group_by === "hour" ? `${key.padStart(2, "0")}:00` : key, ...m });
      }
    }
    return { currency: "USD", group_by, rows: out, totals: metrics(rows, range.end) };
  }

  function overview({ start, end }) {
    const range = { start, end };
    const len = daysBetween(start, end) + 1;
    const prev = { start: addDays(start, -len), end: addDays(start, -1) };
    const kpis = (r) => {
      const m = metrics(facts.filter((f) => inRange(f, r)), r.end);
      return { spend: m.spend, revenue: m.revenue, roas: m.roas, predicted_roas: m.predicted_roas, installs: m.installs, cpi: m.cpi };
    };
    const series = new Map();
    for (const f of facts.filter((x) => inRange(x, range))) {
      const k = `${f.date}|${f.platform}`;
      const p = series.get(k) ?? { date: f.date, platform: f.platform, spend: 0, revenue: 0 };
      p.spend += f.spend;
      p.revenue += f.revenue;
      series.set(k, p);
    }
    return {
      currency: "USD",
      current: kpis(range),
      previous: kpis(prev),
      series: [...series.values()].map((p) => ({ ...p, spend: round(p.spend), revenue: round(p.revenue) })),
      open_alerts: alerts.filter((a) => a.state === "open").length,
      freshness: syncHealth().map((h) => ({ account_id: h.account_id, platform: h.platform, name: h.name, status: h.status, last_success_at: h.last_success_at, freshness_hours: h.freshness_hours, data_through: h.data_through, last_error: h.last_error })),
    };
  }

  function cohorts({ start, end, cohort, platform }) {
    const out = [];
    const step = cohort === "day" ? 1 : cohort === "week" ? 7 : 30;
    const platforms = platform ? [platform] : [null];
    for (const p of platforms) {
      for (let s = start; s <= end; s = addDays(s, step)) {
        const e = addDays(s, step - 1) < end ? addDays(s, step - 1) : end;
        const rows = facts.filter((f) => inRange(f, { start: s, end: e }, { platform: p }));
        const spend = rows.reduce((x, f) => x + f.spend, 0);
        const customers = rows.reduce((x, f) => x + f.installs, 0) * 0.085;
        const base = div(rows.reduce((x, f) => x + f.revenue, 0), spend) ?? 1;
        const age = daysBetween(s, today);
        const days = [0, 1, 3, 7, 14, 30, 60, 90, 120, 180];
        const shape = (d) => 1 - Math.exp(-d / 55) * 0.82;
        const curve = days.map((d) => ({
          day: d,
          revenue: d <= age ? round(spend * base * 1.2 * shape(d) * (0.95 + rand() * 0.1)) : null,
          predicted: round(spend * base * 1.2 * shape(d) * 1.02),
        }));
        const actual = div(curve.filter((c) => c.revenue !== null).at(-1)?.revenue ?? 0, spend);
        const predicted = div(curve.at(-1).predicted, spend);
        out.push({
          cohort: s,
          platform: p,
          customers: Math.round(customers),
          spend: round(spend),
          curve,
          roas_actual: round(actual, 4),
          roas_predicted: round(predicted, 4),
          payback_days: predicted > 1 ? Math.round(180 / predicted / 1.1) : null,
          churn_rate: round(0.28 + rand() * 0.12, 4),
          survival: Array.from({ length: 27 }, (_, i) => ({ day: i * 7, p: round(Math.exp(-(i * 7) / (140 + rand() * 20)), 4) })),
        });
      }
    }
    return {
      currency: "USD",
      model: {
        id: "ltv-2024-05-19-bgnbd",
        kind: "bg_nbd + gamma_gamma",
        trained_at: new Date(now.getTime() - 2 * DAY).toISOString(),
        metrics: { normalized_gini: 0.612, decile_mape: 0.137, spearman: 0.571, mae: 3.42, total_ratio: 1.041 },
      },
      cohorts: out,
    };
  }

  const users = [
    { id: 1, email: "ada@acme.example", name: "Ada Lindqvist", role: "admin", is_active: true },
    { id: 2, email: "felix@acme.example", name: "Felix Moreau", role: "finance", is_active: true },
    { id: 3, email: "maya@acme.example", name: "Maya Chen", role: "marketer", is_active: true },
    { id: 4, email: "omar@acme.example", name: "Omar Haddad", role: "marketer", is_active: true },
    { id: 5, email: "lena@acme.example", name: "Lena Vogel", role: "finance", is_active: false },
  ].map((u, i) => ({ ...u, last_login_at: new Date(now.getTime() - (i * 7 + 1) * 3600e3).toISOString(), created_at: new Date(now.getTime() - (200 - i * 20) * DAY).toISOString() }));

  const monthStart = `${today.slice(0, 8)}01`;
  const qMonth = Math.floor((Number(today.slice(5, 7)) - 1) / 3) * 3 + 1;
  const quarterStart = `${today.slice(0, 5)}${String(qMonth).padStart(2, "0")}-01`;
  const RULES = Object.fromEntries(alertRules.map((r) => [r.name, r.defaults]));
  const budgets = [
    { id: 1, name: "Paid UA — all channels", scope: { type: "all" }, period: "month", period_start: monthStart, amount: 200000, currency: "USD", recipients: ["felix@acme.example", "cfo@acme.example"], target_roas: 1.2, rules: RULES },
    { id: 2, name: "Meta prospecting", scope: { type: "platform", platform: "meta" }, period: "month", period_start: monthStart, amount: 88000, currency: "USD", recipients: ["felix@acme.example"], target_roas: 1.1, rules: { ...RULES, predicted_roas: { enabled: true, min_customers: 100 } } },
    { id: 3, name: "Google — Search & UAC", scope: { type: "account", platform: "google_ads", account_id: 3 }, period: "quarter", period_start: quarterStart, amount: 160000, currency: "USD", recipients: ["felix@acme.example"], target_roas: null, rules: RULES },
    { id: 4, name: "Apple Search Ads — brand", scope: { type: "campaign", platform: "apple_search_ads", account_id: 5, campaign_id: campaigns.find((c) => c.account_id === 5).id, campaign_name: "Brand — Exact" }, period: "month", period_start: monthStart, amount: 5600, currency: "USD", recipients: [], target_roas: 1.5, rules: RULES },
  ];

  function pacing(b) {
    const periodDays = b.period === "month" ? daysBetween(b.period_start, addDays(iso(new Date(Date.parse(`${b.period_start}T00:00:00Z`) + 32 * DAY)).slice(0, 8) + "01", 0)) : 91;
    const filters = b.scope.type === "platform" ? { platform: b.scope.platform } : b.scope.type === "account" ? { account_id: b.scope.account_id } : b.scope.type === "campaign" ? { campaign_id: b.scope.campaign_id } : {};
    const series = [];
    let cum = 0;
    for (let i = 0; i < periodDays; i++) {
      const date = addDays(b.period_start, i);
      const expected = round((b.amount * (i + 1)) / periodDays);
      if (date >= today) {
        series.push({ date, spend: null, cumulative: null, expected });
        continue;
      }
      const spend = facts.filter((f) => f.date === date && inRange(f, { start: date, end: date }, filters)).reduce((s, f) => s + f.spend, 0);
      cum += spend;
      series.push({ date, spend: round(spend), cumulative: round(cum), expected });
    }
    const elapsed = series.filter((p) => p.cumulative !== null).length;
    const expectedToDate = (b.amount * elapsed) / periodDays;
    const daily = elapsed ? cum / elapsed : 0;
    const projected = cum + daily * (periodDays - elapsed) * 1.02;
    const asOf = elapsed ? series[elapsed - 1].date : null;
    return {
      as_of: asOf,
      // one account of the stand-in reports a day late
      data_through: asOf && addDays(asOf, -1),
      elapsed_days: elapsed,
      period_days: periodDays,
      spend_to_date: round(cum),
      expected_to_date: round(expectedToDate),
      pace_pct: round(div(cum, expectedToDate) * 100, 1),
      required_daily: round(Math.max(0, (b.amount - cum) / Math.max(1, periodDays - elapsed))),
      projected: round(projected),
      projected_low: round(projected * 0.94),
      projected_high: round(projected * 1.06),
      method: "seasonal",
      mape: { seasonal: { d5: 0.091, d10: 0.058, d20: 0.027 }, linear: { d5: 0.142, d10: 0.097, d20: 0.049 } },
      series,
    };
  }

  const h = (n) => new Date(now.getTime() - n * 3600e3).toISOString();
  const alerts = [
    { id: 41, rule: "projected_overspend", budget_id: 2, budget_name: "Meta prospecting", scope: budgets[1].scope, period: monthStart.slice(0, 7), state: "open", severity: "critical", message: "Projected month-end spend $97,900 is 11% over the $88,000 budget.", figures: { projected: 97900, budget: 88000, tolerance_pct: 5 }, provisional: true, created_at: h(3), notified_at: h(3), resolved_at: null, acknowledged_at: null, snoozed_until: null },
    { id: 40, rule: "threshold", budget_id: 1, budget_name: "Paid UA — all channels", scope: budgets[0].scope, period: monthStart.slice(0, 7), state: "open", severity: "warning", message: "Spend crossed 50% of the budget ($100,000).", figures: { level: 50, spend_to_date: 101210, budget: 200000 }, provisional: false, created_at: h(20), notified_at: h(20), resolved_at: null, acknowledged_at: h(18), snoozed_until: null },
    { id: 39, rule: "stale_data", budget_id: null, budget_name: null, scope: null, period: null, state: "open", severity: "warning", message: "Acme UAC Japan has not synced for 31 hours (refresh token revoked).", figures: { hours: 31 }, provisional: false, created_at: h(7), notified_at: h(7), resolved_at: null, acknowledged_at: null, snoozed_until: null },
    { id: 35, rule: "predicted_roas", budget_id: 2, budget_name: "Meta prospecting", scope: budgets[1].scope, period: monthStart.slice(0, 7), state: "resolved", severity: "warning", message: "Predicted ROAS 96% is under the 110% target (412 customers).", figures: { predicted_roas: 0.96, target_roas: 1.1, customers: 412 }, provisional: false, created_at: h(200), notified_at: h(200), resolved_at: h(120), acknowledged_at: h(190), snoozed_until: null },
    { id: 31, rule: "credentials", budget_id: null, budget_name: null, scope: null, period: null, state: "resolved", severity: "info", message: "The Apple Search Ads client secret expires in 12 days.", figures: { days_left: 12 }, provisional: false, created_at: h(400), notified_at: h(400), resolved_at: h(300), acknowledged_at: null, snoozed_until: null },
  ];

  const accounts = ACCOUNTS.map((a) => ({
    id: a.id,
    platform: a.platform,
    external_id: a.external_id,
    name: a.name,
    currency: a.currency,
    timezone: a.timezone,
    status: a.id === 4 ? "needs_credentials" : "active",
    credentials:
      a.platform === "meta"
        ? { access_token: "EAAsecret", app_id: "100200300", app_secret: "s3cret" }
        : a.platform === "google_ads"
          ? { developer_token: "dev", client_id: "123.apps.googleusercontent.com", client_secret: "x", refresh_token: "1//x", login_customer_id: "9990001111" }
          : { client_id: "SEARCHADS.abc", team_id: "SEARCHADS.team", key_id: "key-1", private_key: "-----BEGIN PRIVATE KEY-----" },
    credentials_expire_at: a.platform === "meta" ? new Date(now.getTime() + (a.id === 1 ? 9 : 41) * DAY).toISOString() : a.platform === "apple_search_ads" ? new Date(now.getTime() + 150 * DAY).toISOString() : null,
    last_error: a.id === 4 ? "invalid_grant: Token has been expired or revoked." : null,
  }));
  const SECRET = { meta: ["access_token", "app_secret"], google_ads: ["developer_token", "client_secret", "refresh_token"], apple_search_ads: ["private_key"] };
  const publicAccount = (a) => ({
    ...a,
    credentials: Object.fromEntries(Object.entries(a.credentials).map(([k, v]) => [k, SECRET[a.platform].includes(k) ? `••••••••${String(v).slice(-4)}` : v])),
  });

  function syncHealth() {
    return accounts.map((a) => {
      const hours = a.id === 4 ? 31.2 : a.id === 2 ? 1.4 : 0.6 + a.id * 0.2;
      const platformSpend = 48210.55 * (a.id / 3);
      const diff = a.id === 2 ? 812.4 : a.id === 4 ? null : 0.37 * a.id;
      return {
        account_id: a.id,
        platform: a.platform,
        name: a.name,
        external_id: a.external_id,
        currency: a.currency,
        status: a.status,
        last_success_at: new Date(now.getTime() - hours * 3600e3).toISOString(),
        freshness_hours: hours,
        data_through: addDays(today, a.id === 4 ? -2 : -1),
        provisional_from: addDays(today, a.platform === "meta" ? -28 : -30),
        provisional_days: a.platform === "meta" ? 28 : 30,
        last_status: a.id === 4 ? "failed" : "succeeded",
        last_error: a.last_error,
        pending_runs: a.id === 3 ? 1 : 0,
        credentials_expire_at: a.credentials_expire_at,
        reconciliation: diff === null ? null : { platform_spend: round(platformSpend), stored_spend: round(platformSpend - diff), diff: round(diff), diff_pct: round((diff / platformSpend) * 100, 3), flagged: a.id === 2 },
      };
    });
  }

  const platforms = [
    { platform: "meta", label: "Meta Ads", schema: { type: "object", properties: { access_token: { type: "string", title: "Access token", description: "A long-lived system-user token with ads_read" }, app_id: { type: "string", title: "App ID", pattern: "\\d+" }, app_secret: { type: "string", title: "App secret" } }, required: ["access_token", "app_id", "app_secret"], secret: ["access_token", "app_secret"] } },
    { platform: "google_ads", label: "Google Ads", schema: { type: "object", properties: { developer_token: { type: "string" }, client_id: { type: "string", title: "OAuth client ID" }, client_secret: { type: "string", title: "OAuth client secret" }, refresh_token: { type: "string" }, login_customer_id: { type: "string", title: "Manager (MCC) customer ID", pattern: "\\d{10}", description: "Ten digits, no dashes" } }, required: ["developer_token", "client_id", "client_secret", "refresh_token"], secret: ["developer_token", "client_secret", "refresh_token"] } },
    { platform: "apple_search_ads", label: "Apple Search Ads", schema: { type: "object", properties: { client_id: { type: "string", title: "Client ID" }, team_id: { type: "string", title: "Team ID" }, key_id: { type: "string", title: "Key ID" }, private_key: { type: "string", title: "Private key (PEM)", format: "pem", description: "The EC P-256 key whose public half is uploaded to Apple" } }, required: ["client_id", "team_id", "key_id", "private_key"], secret: ["private_key"] } },
  ];

  const ACTIONS = [
    ["budget.update", "budget", "2", { amount: 58000 }, { amount: 62000 }],
    ["ad_account.update", "ad_account", "1", { credentials: "[secret]", name: "Acme — Meta US" }, { credentials: "[secret]", name: "Acme Apps — Meta US" }],
    ["user.create", "user", "4", null, { email: "omar@acme.example", role: "marketer" }],
    ["ad_account.backfill", "ad_account", "3", null, { start: addDays(today, -180), end: addDays(today, -1) }],
    ["alert.acknowledge", "alert", "40", { acknowledged_at: null }, { acknowledged_at: h(18) }],
    ["user.update", "user", "5", { is_active: true }, { is_active: false }],
    ["auth.login", "user", "2", null, null],
  ];
  const audit = Array.from({ length: 60 }, (_, i) => {
    const [action, entity_type, entity_id, before, after] = ACTIONS[i % ACTIONS.length];
    const actor = users[i % 3];
    return { id: 1000 - i, at: h(i * 5 + 1), actor_id: actor.id, actor_email: actor.email, action, entity_type, entity_id, before, after, ip: `10.0.${i % 4}.${20 + (i % 7)}` };
  });

  return { users, accounts, publicAccount, roi, overview, cohorts, budgets, pacing, alerts, syncHealth, platforms, audit };
}
