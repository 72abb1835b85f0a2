/** Budgets and pacing; finance and admin create and edit budgets and their alert rules. */
import { useMemo, useState } from "react";
import { App, Button, Card, Col, Drawer, Row, Segmented, Typography } from "antd";
import { PlusOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { deleteBudget, fetchAdAccounts, fetchBudgets, fetchPacing, queryKeys } from "../api";
import type { Budget } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { can } from "../auth/permissions";
import { DataTable, type DataColumn } from "../components/DataTable";
import { EmptyState, QueryView } from "../components/QueryView";
import { csvFileName } from "../lib/csv";
import { useReport } from "../state/report";
import { useFormat } from "../state/useFormat";
import { BudgetCard, paceStatus } from "./budgets/BudgetCard";
import { BudgetForm } from "./budgets/BudgetForm";
import { PacingChart } from "./budgets/PacingChart";
import { periodLabel, scopeLabel } from "./budgets/model";

function PacingDrawer({ budget, onClose }: { budget: Budget | null; onClose: () => void }) {
  const f = useFormat(budget?.currency);
  const pacing = useQuery({
    queryKey: queryKeys.pacing(budget?.id ?? 0),
    queryFn: ({ signal }) => fetchPacing(budget!.id, signal),
    enabled: Boolean(budget),
    initialData: budget?.pacing ?? undefined,
  });
  return (
    <Drawer title={budget ? `Pacing — ${budget.name}` : ""} open={Boolean(budget)} onClose={onClose} width={760}>
      {budget && (
        <QueryView query={pacing} isEmpty={(p) => !p?.series?.length} empty={<EmptyState description="No spend in this period yet." />}>
          {(p) => (
            <>
              <PacingChart budget={budget} pacing={p} f={f} />
              <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
                The solid line is the spend so far; the dashed line the spend expected by each day; the dotted line and the
                shaded band the {p.method} forecast of the period end and its range.
              </Typography.Paragraph>
            </>
          )}
        </QueryView>
      )}
    </Drawer>
  );
}

export default function BudgetsPage() {
  const { user } = useAuth();
  const { currency: reporting } = useReport();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const canEdit = can(user?.role, "editBudgets");
  const f = useFormat();
  const [view, setView] = useState<"cards" | "table">("cards");
  const [editing, setEditing] = useState<Budget | null>(null);
  const [formOpen, setFormOpen] = useState(false);
  const [charted, setCharted] = useState<Budget | null>(null);

  const budgets = useQuery({ queryKey: queryKeys.budgets, queryFn: ({ signal }) => fetchBudgets(signal) });
  // Account names for scopes, when the role may read them.
  const accounts = useQuery({
    queryKey: queryKeys.adAccounts,
    queryFn: ({ signal }) => fetchAdAccounts(signal),
    retry: false,
    enabled: can(user?.role, "administer") || can(user?.role, "editBudgets"),
  });
  const names = useMemo(
    () => ({ accounts: new Map((accounts.data ?? []).map((a) => [String(a.id), a.name])) }),
    [accounts.data],
  );

  const remove = useMutation({
    mutationFn: (id: number) => deleteBudget(id),
    onSuccess: () => {
      message.success("Budget deleted");
      void queryClient.invalidateQueries({ queryKey: queryKeys.budgets });
    },
    onError: (err) => message.error(err.message),
  });

  const columns: DataColumn<Budget>[] = [
    { key: "name", title: "Budget", value: (b) => b.name },
    { key: "scope", title: "Scope", value: (b) => scopeLabel(b.scope, names) },
    { key: "period", title: "Period", value: (b) => periodLabel(b.period_start, b.period, f.locale) },
    { key: "period_start", title: "Period start", value: (b) => b.period_start },
    { key: "currency", title: "Currency", value: (b) => b.currency, filterable: true },
    { key: "amount", title: "Amount", kind: "number", value: (b) => b.amount, render: (b) => f.money(b.amount, b.currency) },
    { key: "spend_to_date", title: "Spent", kind: "number", value: (b) => b.pacing?.spend_to_date, render: (b) => f.money(b.pacing?.spend_to_date, b.currency) },
    { key: "pace_pct", title: "Pace", kind: "percent", value: (b) => b.pacing?.pace_pct },
    { key: "projected", title: "Projected", kind: "number", value: (b) => b.pacing?.projected, render: (b) => f.money(b.pacing?.projected, b.currency) },
    { key: "projected_low", title: "Projected low", kind: "number", value: (b) => b.pacing?.projected_low, render: (b) => f.money(b.pacing?.projected_low, b.currency) },
    { key: "projected_high", title: "Projected high", kind: "number", value: (b) => b.pacing?.projected_high, render: (b) => f.money(b.pacing?.projected_high, b.currency) },
    { key: "status", title: "Status", value: (b) => paceStatus(b.pacing?.pace_pct).replace("_", " "), filterable: true },
    { key: "target_roas", title: "Target ROAS", kind: "roas", value: (b) => b.target_roas },
  ];

  return (
    <div>
      <div className="page-toolbar">
        <Segmented
          value={view}
          onChange={(v) => setView(v as "cards" | "table")}
          options={[
            { label: "Cards", value: "cards" },
            { label: "Table", value: "table" },
          ]}
        />
        {canEdit && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => {
              setEditing(null);
              setFormOpen(true);
            }}
          >
            New budget
          </Button>
        )}
      </div>
      <QueryView
        query={budgets}
        isEmpty={(d: Budget[]) => d.length === 0}
        empty={
          <Card>
            <EmptyState
              description={canEdit ? "No budgets yet. Create one to follow pacing and receive alerts." : "No budgets have been set yet."}
              action={
                canEdit ? (
                  <Button type="primary" icon={<PlusOutlined />} onClick={() => setFormOpen(true)}>
                    New budget
                  </Button>
                ) : undefined
              }
            />
          </Card>
        }
      >
        {(list: Budget[]) =>
          view === "cards" ? (
            <Row gutter={[16, 16]}>
              {list.map((b) => (
                <Col key={b.id} xs={24} xl={12}>
                  <BudgetCard
                    budget={b}
                    f={f}
                    canEdit={canEdit}
                    names={names}
                    onEdit={() => {
                      setEditing(b);
                      setFormOpen(true);
                    }}
                    onDelete={() => remove.mutate(b.id)}
                    onShowChart={() => setCharted(b)}
                  />
                </Col>
              ))}
            </Row>
          ) : (
            <Card>
              <DataTable<Budget>
                rows={list}
                columns={columns}
                rowKey={(b) => String(b.id)}
                csvName={csvFileName("budgets")}
                onRowClick={(b) => setCharted(b)}
                rowTitle="Show the pacing chart"
              />
            </Card>
          )
        }
      </QueryView>
      {canEdit && (
        <BudgetForm
          open={formOpen}
          budget={editing}
          reportingCurrency={reporting ?? "USD"}
          onClose={() => {
            setFormOpen(false);
            setEditing(null);
          }}
        />
      )}
      <PacingDrawer budget={charted} onClose={() => setCharted(null)} />
    </div>
  );
}
