/** Providers shared by the app and the component tests: query client, theme, report settings. */
import type { ReactNode } from "react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { App as AntApp, ConfigProvider } from "antd";
import { ApiError } from "./api/client";
import { AuthProvider } from "./auth/AuthContext";
import { ReportProvider } from "./state/report";

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 60_000,
        refetchOnWindowFocus: false,
        // A 4xx answer will not change by asking again; a network error or a 5xx may.
        retry: (failures, error) =>
          !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failures < 2,
      },
      mutations: { retry: false },
    },
  });
}

export const THEME = {
  token: {
    colorPrimary: "#3b5bdb",
    colorInfo: "#3b5bdb",
    colorSuccess: "#0ca678",
    colorWarning: "#f59f00",
    colorError: "#e03131",
    borderRadius: 8,
    fontFamily:
      "Inter, -apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
    colorBgLayout: "#f5f6f8",
  },
  components: {
    Layout: { headerBg: "#ffffff", siderBg: "#ffffff", headerHeight: 60, headerPadding: "0 24px" },
    Menu: { itemBorderRadius: 6, itemSelectedBg: "#edf2ff", itemSelectedColor: "#3b5bdb" },
    Card: { headerFontSize: 15 },
    Table: { headerBg: "#f8f9fa", headerColor: "#495057", rowHoverBg: "#f8f9ff" },
  },
};

export function AppProviders({ children, queryClient }: { children: ReactNode; queryClient: QueryClient }) {
  return (
    <QueryClientProvider client={queryClient}>
      <ConfigProvider theme={THEME}>
        <AntApp>
          <ReportProvider>
            <AuthProvider>{children}</AuthProvider>
          </ReportProvider>
        </AntApp>
      </ConfigProvider>
    </QueryClientProvider>
  );
}
