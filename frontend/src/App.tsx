/** Routes: /login is open; everything else needs a session, admin pages need the admin role. */
import { lazy, Suspense, type ReactNode } from "react";
import { Navigate, Route, Routes, useLocation } from "react-router";
import { Spin } from "antd";
import { RequireAuth, RequirePermission } from "./auth/guards";
import { AppLayout } from "./components/AppLayout";
import type { Permission } from "./auth/permissions";

const LoginPage = lazy(() => import("./pages/LoginPage"));
const OverviewPage = lazy(() => import("./pages/OverviewPage"));
const ChannelsPage = lazy(() => import("./pages/ChannelsPage"));
const CohortsPage = lazy(() => import("./pages/CohortsPage"));
const TrafficPage = lazy(() => import("./pages/TrafficPage"));
const BudgetsPage = lazy(() => import("./pages/BudgetsPage"));
const AlertsPage = lazy(() => import("./pages/AlertsPage"));
const RecommendationsPage = lazy(() => import("./pages/RecommendationsPage"));
const AccountsPage = lazy(() => import("./pages/admin/AccountsPage"));
const DataPage = lazy(() => import("./pages/admin/DataPage"));
const ModelsPage = lazy(() => import("./pages/admin/ModelsPage"));
const UsersPage = lazy(() => import("./pages/admin/UsersPage"));
const AuditPage = lazy(() => import("./pages/admin/AuditPage"));
const NotFoundPage = lazy(() => import("./pages/NotFoundPage"));

function guarded(permission: Permission, page: ReactNode) {
  return <RequirePermission permission={permission}>{page}</RequirePermission>;
}

function RootRedirect() {
  const { search } = useLocation();
  return <Navigate to={`/overview${search}`} replace />;
}

export function App() {
  return (
    <Suspense
      fallback={
        <div className="full-page-center">
          <Spin size="large" />
        </div>
      }
    >
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route
          element={
            <RequireAuth>
              <AppLayout />
            </RequireAuth>
          }
        >
          <Route index element={<RootRedirect />} />
          <Route path="overview" element={guarded("viewReports", <OverviewPage />)} />
          <Route path="channels" element={guarded("viewReports", <ChannelsPage />)} />
          <Route path="cohorts" element={guarded("viewReports", <CohortsPage />)} />
          <Route path="traffic" element={guarded("viewReports", <TrafficPage />)} />
          <Route path="budgets" element={guarded("viewBudgets", <BudgetsPage />)} />
          <Route path="recommendations" element={guarded("viewBudgets", <RecommendationsPage />)} />
          <Route path="alerts" element={guarded("viewAlerts", <AlertsPage />)} />
          <Route path="admin">
            <Route index element={<Navigate to="accounts" replace />} />
            <Route path="accounts" element={guarded("administer", <AccountsPage />)} />
            <Route path="data" element={guarded("administer", <DataPage />)} />
            <Route path="models" element={guarded("administer", <ModelsPage />)} />
            <Route path="users" element={guarded("administer", <UsersPage />)} />
            <Route path="audit" element={guarded("administer", <AuditPage />)} />
          </Route>
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </Suspense>
  );
}
