import { describe, expect, it } from "vitest";
import type { ModelVersion } from "../../../api/types";
import { versionState } from "../ModelsPage";
import type { PlatformInfo } from "../../../api/types";
import { registerPlatforms } from "../../../lib/platforms";
import { headlineMetrics, keyLabel, metricLabel, orderedKeys } from "./MetricsView";

const version = (v: Partial<ModelVersion>) =>
  ({ id: 1, kind: "ltv", status: "ready", is_active: false, activation_requested_at: null, metrics: {}, ...v }) as ModelVersion;

describe("versionState", () => {
  it("shows a requested version as activating until it is active", () => {
    const requested = version({ id: 2, activation_requested_at: "2026-12-06T10:00:00Z" });
    expect(versionState(requested, [requested])).toBe("activating");
    expect(versionState({ ...requested, is_active: true }, [requested])).toBe("active");
  });

  it("does not call a request a later one of its kind overtook activating", () => {
    const older = version({ id: 2, activation_requested_at: "2026-12-06T10:00:00Z" });
    const newer = version({ id: 3, activation_requested_at: "2026-12-06T10:05:00Z" });
    const churn = version({ id: 4, kind: "churn", activation_requested_at: "2026-12-06T11:00:00Z" });
    expect(versionState(older, [older, newer, churn])).toBe("ready");
    expect(versionState(newer, [older, newer, churn])).toBe("activating");
  });

  it("keeps training and failed versions as they are", () => {
    expect(versionState(version({ status: "training" }), [])).toBe("training");
    expect(versionState(version({ status: "failed" }), [])).toBe("failed");
  });
});

describe("metrics", () => {
  it("makes metric names readable", () => {
    expect(metricLabel("normalized_gini")).toBe("Normalized gini");
    expect(metricLabel("pr_auc")).toBe("PR AUC");
    expect(metricLabel("d30")).toBe("D30");
  });

  it("summarizes with known accuracy measures first, whatever else is stored", () => {
    expect(headlineMetrics({ holdout_days: 20, mae: 5.254, normalized_gini: 0.58351, note: "x" })).toBe(
      "Normalized gini 0.5835 · MAE 5.254 · Holdout days 20",
    );
    expect(headlineMetrics({ mape_by_age: { d7: 0.2 } })).toBe("");
  });
});

describe("orderedKeys", () => {
  it("orders cohort ages and horizons by their number, not as text", () => {
    expect(orderedKeys(["d1", "d14", "d3", "d30", "d7"])).toEqual(["d1", "d3", "d7", "d14", "d30"]);
    expect(orderedKeys(["365", "30", "90"])).toEqual(["30", "90", "365"]);
    expect(orderedKeys(["h_180", "h_30"])).toEqual(["h_30", "h_180"]);
  });

  it("leaves keys that are not numbered as they came", () => {
    expect(orderedKeys(["mae", "d7", "auc"])).toEqual(["mae", "d7", "auc"]);
    expect(orderedKeys(["meta", "google_ads"])).toEqual(["meta", "google_ads"]);
  });
});

describe("keyLabel", () => {
  it("names platforms, and bare numbers as horizons in days", () => {
    registerPlatforms([{ platform: "apple_search_ads", label: "Apple Search Ads" } as PlatformInfo]);
    expect(keyLabel("apple_search_ads")).toBe("Apple Search Ads");
    expect(keyLabel("30")).toBe("30-day horizon");
    expect(keyLabel("normalized_gini")).toBe("Normalized gini");
  });
});
