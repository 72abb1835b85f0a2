import { describe, expect, it } from "vitest";
import type { AdAccount, SyncHealth } from "../../../api/types";
import { accountState, formatDuration } from "./accountState";

const account = { id: 1, status: "active", last_error: null } as AdAccount;
const health = (h: Partial<SyncHealth>) => ({ account_id: 1, last_success_at: null, pending_runs: 0, ...h }) as SyncHealth;

describe("accountState", () => {
  it("calls an active account whose last sync failed failing, with its error", () => {
    const state = accountState(account, health({ last_status: "failed", last_error: "Object does not exist" }));
    expect(state).toMatchObject({ key: "failing", color: "red", error: "Object does not exist" });
  });

  it("tells a first sync under way from an account never synced", () => {
    expect(accountState(account, health({ pending_runs: 2 })).key).toBe("syncing");
    expect(accountState(account, health({})).key).toBe("never_synced");
  });

  it("is active after a successful sync, and the stored status wins when not active", () => {
    expect(accountState(account, health({ last_status: "succeeded", last_success_at: "2026-12-01T00:00:00Z" })).key).toBe("active");
    expect(accountState({ ...account, status: "needs_credentials" }, health({ last_status: "failed" })).key).toBe("needs_credentials");
    expect(accountState({ ...account, status: "disabled" }, null).key).toBe("disabled");
  });
});

describe("formatDuration", () => {
  it("reads in the largest useful units", () => {
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(12_400)).toBe("12 s");
    expect(formatDuration(72_000)).toBe("1 min 12 s");
    expect(formatDuration(null)).toBe("—");
  });
});
