/** The cohorts page's model card: for the active LTV/churn version and the active
 * first-purchase version, what each predicts, on which customers and when it was trained, and
 * its backtest at each cohort age in plain words; the technical metrics fold away below. */
import { Link } from "react-router";
import { Card, Col, Collapse, Row, Statistic, Table, Tag, Typography } from "antd";
import type { ChurnAccuracy, ChurnAgeAccuracy, FirstPurchaseModelInfo, ModelInfo } from "../../api/types";
import { useAuth } from "../../auth/AuthContext";
import { can } from "../../auth/permissions";
import { toNumber } from "../../lib/format";
import type { Formatters } from "../../state/useFormat";
import { EmptyState } from "../../components/QueryView";
import { earlyAgeSentence, firstPurchaseCard, ltvAgeSentence, ltvCard } from "./modelCard";

const METRIC_LABELS: Record<string, string> = {
  mape: "MAPE",
  decile_mape: "Decile MAPE",
  mae: "MAE",
  gini: "Normalized Gini",
  normalized_gini: "Normalized Gini",
  spearman: "Spearman ρ",
  auc: "AUC",
  total_actual: "Total actual",
  total_predicted: "Total predicted",
  total_ratio: "Predicted ÷ actual",
  pr_auc: "PR AUC",
  brier: "Brier score",
  churn_rate: "Churn rate",
  log_likelihood: "Log-likelihood",
  churn_auc: "Churn AUC",
  churn_pr_auc: "Churn PR AUC",
  churn_brier: "Churn Brier score",
  churn_churn_rate: "Churned in holdout",
  churn_horizon_days: "Churn horizon (days)",
  holdout_customers: "Holdout customers",
  holdout_days: "Holdout days",
};

function metricLabel(key: string) {
  return METRIC_LABELS[key] ?? key.replace(/_/g, " ").replace(/^\w/, (c) => c.toUpperCase());
}

function metricValue(key: string, value: unknown, f: Formatters) {
  const n = toNumber(value as never);
  if (n === null) return typeof value === "string" ? value : "—";
  // analytics/ reports MAPE and rates as ratios (0.12 = 12%)
  if (/mape|rate$/.test(key)) return f.ratioPercent(n);
  if (key === "total_ratio") return `${f.number(n, 2)}×`;
  if (key === "total_error") return f.ratioPercent(n);
  if (/^total_/.test(key)) return f.money(n);
  return f.number(n, 3);
}

/** The churn model's backtest among the customers of each cohort age at prediction time. */
function ChurnByAge({ ages, f }: { ages: ChurnAgeAccuracy[]; f: Formatters }) {
  const value = (v: number | null | undefined, digits = 2) => (v == null ? "—" : f.number(v, digits));
  const rate = (v: number | null | undefined) => (v == null ? "—" : f.ratioPercent(v, 0));
  return (
    <Table<ChurnAgeAccuracy>
      className="churn-accuracy-by-age"
      size="small"
      pagination={false}
      style={{ marginBottom: 12 }}
      rowKey="age_bucket"
      dataSource={ages}
      title={() => "Churn accuracy by cohort age (backtest; — where all or none of them churned)"}
      columns={[
        { title: "Cohort age", dataIndex: "age_bucket" },
        { title: "AUC", render: (_, a) => value(a.auc) },
        { title: "PR-AUC", render: (_, a) => value(a.pr_auc) },
        { title: "Brier", render: (_, a) => value(a.brier) },
        { title: "Predicted churn", render: (_, a) => rate(a.predicted_rate) },
        { title: "Churned", render: (_, a) => rate(a.observed_rate) },
        { title: "Customers", render: (_, a) => (a.customers == null ? "—" : f.integer(a.customers)) },
      ]}
    />
  );
}

function Lines({ lines, className }: { lines: string[]; className: string }) {
  return (
    <ul className={className} style={{ margin: "0 0 8px", paddingLeft: 18 }}>
      {lines.map((line) => (
        <li key={line}>{line}</li>
      ))}
    </ul>
  );
}

function LtvColumn({ model, churn, f }: { model: ModelInfo; churn: ChurnAccuracy | null | undefined; f: Formatters }) {
  const card = ltvCard(model, churn, f);
  const horizon = model.horizon_days ?? 365;
  return (
    <div className="model-card-ltv">
      <Typography.Title level={5} style={{ marginTop: 0 }}>
        Lifetime value and churn <Tag>version {String(model.id)}</Tag>
        {model.churn_version_id != null && <Tag>churn version {model.churn_version_id}</Tag>}
      </Typography.Title>
      <Typography.Paragraph style={{ marginBottom: 4 }}>{card.what}</Typography.Paragraph>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 4 }}>
        {card.trained}
      </Typography.Paragraph>
      {card.backtest ? (
        <>
          <Typography.Paragraph style={{ marginBottom: 4 }}>{card.backtest}</Typography.Paragraph>
          <Lines className="model-card-ltv-ages" lines={(model.by_age ?? []).map((a) => ltvAgeSentence(a, horizon, f))} />
        </>
      ) : (
        <Typography.Paragraph type="secondary">No cohort age was judged in this version&apos;s backtest.</Typography.Paragraph>
      )}
      {card.churn && <Typography.Paragraph className="model-card-churn">{card.churn}</Typography.Paragraph>}
    </div>
  );
}

function FirstPurchaseColumn({ model, f }: { model: FirstPurchaseModelInfo | null | undefined; f: Formatters }) {
  if (!model) {
    return (
      <div className="model-card-first-purchase">
        <Typography.Title level={5} style={{ marginTop: 0 }}>
          First purchase
        </Typography.Title>
        <Typography.Text type="secondary">
          No first-purchase model is active: cohorts under a week old have no expected payers or early ROAS.
        </Typography.Text>
      </div>
    );
  }
  const card = firstPurchaseCard(model, f);
  return (
    <div className="model-card-first-purchase">
      <Typography.Title level={5} style={{ marginTop: 0 }}>
        First purchase <Tag>version {model.id}</Tag>
      </Typography.Title>
      <Typography.Paragraph style={{ marginBottom: 4 }}>{card.what}</Typography.Paragraph>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 4 }}>
        {card.trained}
      </Typography.Paragraph>
      {card.backtest && <Typography.Paragraph style={{ marginBottom: 4 }}>{card.backtest}</Typography.Paragraph>}
      <Lines className="model-card-early-ages" lines={(model.accuracy ?? []).map((a) => earlyAgeSentence(a, f))} />
    </div>
  );
}

export function ModelCard({
  model,
  churn,
  firstPurchase,
  f,
}: {
  model: ModelInfo | null;
  churn?: ChurnAccuracy | null;
  firstPurchase?: FirstPurchaseModelInfo | null;
  f: Formatters;
}) {
  const { user } = useAuth();
  const metrics = Object.entries(model?.metrics ?? {});
  const versionsLink = can(user?.role, "administer") ? (
    <Link to="/admin/models">Model versions</Link>
  ) : (
    <Typography.Text type="secondary">Model versions: admins</Typography.Text>
  );
  return (
    <Card title="Predictions in use" className="section model-card" extra={versionsLink}>
      <Row gutter={[32, 12]}>
        <Col xs={24} xl={12}>
          {model ? (
            <LtvColumn model={model} churn={churn} f={f} />
          ) : (
            <EmptyState description="No LTV model has been trained yet: predicted values are missing." />
          )}
        </Col>
        <Col xs={24} xl={12}>
          <FirstPurchaseColumn model={firstPurchase} f={f} />
        </Col>
      </Row>
      {model && (
        <Collapse
          ghost
          size="small"
          items={[
            {
              key: "details",
              label: "Backtest details (technical)",
              children: (
                <>
                  {churn?.by_age?.length ? <ChurnByAge ages={churn.by_age} f={f} /> : null}
                  {metrics.length ? (
                    <Row gutter={[24, 12]}>
                      {metrics.map(([key, value]) => (
                        <Col key={key} xs={12} md={6} xl={4}>
                          <Statistic title={metricLabel(key)} value={metricValue(key, value, f)} valueStyle={{ fontSize: 20 }} />
                        </Col>
                      ))}
                    </Row>
                  ) : (
                    <Typography.Text type="secondary">No holdout metrics recorded.</Typography.Text>
                  )}
                </>
              ),
            },
          ]}
        />
      )}
    </Card>
  );
}
