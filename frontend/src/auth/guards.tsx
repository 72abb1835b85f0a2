/** Route guards: a session is needed everywhere but /login; some pages need a permission. */
import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";
import { Spin } from "antd";
import { useAuth } from "./AuthContext";
import { can, type Permission } from "./permissions";
import { ErrorState, ForbiddenState } from "../components/QueryView";

export function RequireAuth({ children }: { children: ReactNode }) {
  const { user, loading, error, refresh } = useAuth();
  const location = useLocation();
  if (loading) {
    return (
      <div className="full-page-center">
        <Spin size="large" />
      </div>
    );
  }
  if (error && !user) {
    return (
      <div className="full-page-center">
        <ErrorState error={error} onRetry={refresh} />
      </div>
    );
  }
  if (!user) {
    const next = location.pathname + location.search;
    const search = next && next !== "/" ? `?next=${encodeURIComponent(next)}` : "";
    return <Navigate to={`/login${search}`} replace />;
  }
  return <>{children}</>;
}

export function RequirePermission({ permission, children }: { permission: Permission; children: ReactNode }) {
  const { user } = useAuth();
  if (!can(user?.role, permission)) return <ForbiddenState />;
  return <>{children}</>;
}

/** Only same-site paths are followed after login (no open redirect). */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/login")) return "/overview";
  return next;
}
