/** Rendering with the app's providers and a fake API (fetch stubbed per route). */
import type { ReactElement } from "react";
import { render } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { vi } from "vitest";
import userEvent, { PointerEventsCheckLevel } from "@testing-library/user-event";
import { StyleProvider } from "@ant-design/cssinjs";
import { AppProviders, createQueryClient } from "../providers";
import { setCsrfToken } from "../api/client";
import type { EarlyFigures, User } from "../api/types";

export interface Call {
  method: string;
  url: string;
  path: string;
  search: URLSearchParams;
  headers: Record<string, string>;
  body: unknown;
}

type Handler = (call: Call) => { status?: number; body?: unknown } | unknown;

/** `{status: 422, body: {...}}` (a numeric status) is a whole answer, not a JSON body. */
function isResponseSpec(value: unknown): value is { status: number; body?: unknown } {
  return Boolean(value && typeof value === "object" && typeof (value as { status?: unknown }).status === "number");
}

/** Stubs fetch: `routes` maps "METHOD /api/path" to a handler or a JSON body. Unmatched: 404. */
export function mockApi(routes: Record<string, Handler | object | unknown[]>) {
  const calls: Call[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    const parsed = new URL(url, "http://localhost");
    const method = (init.method ?? "GET").toUpperCase();
    const call: Call = {
      method,
      url,
      path: parsed.pathname,
      search: parsed.searchParams,
      headers: (init.headers ?? {}) as Record<string, string>,
      body: init.body ? JSON.parse(String(init.body)) : undefined,
    };
    calls.push(call);
    const route = routes[`${method} ${parsed.pathname}`];
    let status = 200;
    let body: unknown;
    if (route === undefined) {
      status = 404;
      body = { code: 404, status: "Not Found", message: `no route ${method} ${parsed.pathname}` };
    } else if (typeof route === "function") {
      const out = (route as Handler)(call) as { status?: number; body?: unknown };
      if (isResponseSpec(out)) {
        status = out.status;
        body = out.body;
      } else body = out;
    } else if (isResponseSpec(route)) {
      status = route.status;
      body = route.body;
    } else body = route;
    return new Response(body === undefined || status === 204 ? null : JSON.stringify(body), {
      status,
      headers: { "Content-Type": "application/json" },
    });
  });
  vi.stubGlobal("fetch", fetchMock);
  return { calls, fetchMock };
}

export const USERS: Record<string, User> = {
  admin: { id: 1, email: "ada@example.com", name: "Ada Admin", role: "admin" },
  finance: { id: 2, email: "fin@example.com", name: "Fin Ance", role: "finance" },
  marketer: { id: 3, email: "mark@example.com", name: "Mark Eter", role: "marketer" },
};

export function session(user: User) {
  return { user, csrf_token: "csrf-123" };
}

export function renderApp(ui: ReactElement, { route = "/" }: { route?: string } = {}) {
  setCsrfToken(null);
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({ queries: { retry: false, staleTime: Infinity } });
  return {
    queryClient,
    ...render(
      <StyleProvider mock="server">
        <MemoryRouter initialEntries={[route]}>
          <AppProviders queryClient={queryClient}>{ui}</AppProviders>
        </MemoryRouter>
      </StyleProvider>,
    ),
  };
}

/**
 * user-event without per-key delays and without the pointer-events check, which calls
 * getComputedStyle up the tree on every event (slow under antd's many style tags in jsdom).
 */
export const user = userEvent.setup({ delay: null, pointerEventsCheck: PointerEventsCheckLevel.Never });

/** The early figures of a range's young customers (API field `early`), with the accuracy given. */
export function earlyFigures(accuracy: EarlyFigures["accuracy"] = null): EarlyFigures {
  return {
    from: "2024-01-08",
    to: "2024-01-10",
    customers: 350,
    scored: 350,
    expected_payers_7: 12,
    expected_payers_30: 17.5,
    value_per_payer: 9.5,
    spend: 400,
    predicted_roas: 0.42,
    horizon_days: 30,
    accuracy,
  };
}
