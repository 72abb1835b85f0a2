/** Loading, empty, error and "not allowed" states of a query, the same on every page. */
import type { ReactNode } from "react";
import { Button, Empty, Result, Skeleton } from "antd";
import { LockOutlined } from "@ant-design/icons";
import type { UseQueryResult } from "@tanstack/react-query";
import { ApiError } from "../api/client";

export function ErrorState({ error, onRetry, compact }: { error: unknown; onRetry?: () => void; compact?: boolean }) {
  if (error instanceof ApiError && error.isForbidden) return <ForbiddenState compact={compact} />;
  const message = error instanceof Error ? error.message : "Something went wrong.";
  return (
    <div data-testid="error-state" role="alert">
      <Result
        status={compact ? undefined : "warning"}
        icon={compact ? <span /> : undefined}
        title={compact ? undefined : "This could not be loaded"}
        subTitle={message}
        extra={onRetry ? <Button onClick={onRetry}>Retry</Button> : undefined}
        style={compact ? { padding: 16 } : undefined}
      />
    </div>
  );
}

export function ForbiddenState({ compact }: { compact?: boolean }) {
  return (
    <div data-testid="forbidden-state">
      <Result
        icon={<LockOutlined style={{ color: "#868e96" }} />}
        title={compact ? undefined : "Not allowed"}
        subTitle="Your role does not give access to this. Ask an admin if you need it."
        style={compact ? { padding: 16 } : undefined}
      />
    </div>
  );
}

export function EmptyState({ description, action }: { description: ReactNode; action?: ReactNode }) {
  return (
    <div data-testid="empty-state">
      <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={description}>
        {action}
      </Empty>
    </div>
  );
}

interface QueryViewProps<T> {
  query: Pick<UseQueryResult<T>, "data" | "error" | "isPending" | "isError" | "refetch">;
  /** True when the answer holds nothing to show. */
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  loading?: ReactNode;
  compact?: boolean;
  children: (data: T) => ReactNode;
}

export function QueryView<T>({ query, isEmpty, empty, loading, compact, children }: QueryViewProps<T>) {
  if (query.isPending) {
    return <div data-testid="loading-state" aria-busy="true">
        {loading ?? <Skeleton active paragraph={{ rows: compact ? 3 : 6 }} />}
      </div>;
  }
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} compact={compact} />;
  const data = query.data as T;
  if (isEmpty?.(data)) return <>{empty ?? <EmptyState description="No data for this selection." />}</>;
  return <>{children(data)}</>;
}
