/** Create or edit a budget and its alert rules (finance and admin). */
import { useEffect, useRef, useState } from "react";
import {
  Alert,
  App,
  Button,
  Col,
  DatePicker,
  Divider,
  Drawer,
  Form,
  Input,
  InputNumber,
  Radio,
  Row,
  Select,
  Space,
  Switch,
  Typography,
} from "antd";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { createBudget, queryKeys, updateBudget } from "../../api";
import type { Budget } from "../../api/types";
import { PLATFORM_LABELS } from "../../lib/platforms";
import { applyFieldErrors } from "../../lib/formErrors";
import {
  budgetFieldPath,
  newBudgetValues,
  targetRuleSwitch,
  toBudgetInput,
  toFormValues,
  type BudgetFormValues,
} from "./model";
import { useAccountOptions, useCampaignOptions } from "./scopeOptions";

const CURRENCIES = ["USD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF", "SEK", "NOK", "DKK", "PLN", "BRL", "INR", "KRW", "CNY"];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

interface BudgetFormProps {
  open: boolean;
  budget: Budget | null;
  reportingCurrency: string;
  onClose: () => void;
}

export function BudgetForm({ open, budget, reportingCurrency, onClose }: BudgetFormProps) {
  const [form] = Form.useForm<BudgetFormValues>();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [problems, setProblems] = useState<string[]>([]);

  const scopeType = Form.useWatch(["scope", "type"], form);
  const platform = Form.useWatch(["scope", "platform"], form);
  const accountId = Form.useWatch(["scope", "account_id"], form);
  const period = Form.useWatch("period", form) ?? "month";
  const rules = Form.useWatch("rules", form);

  const accounts = useAccountOptions(open && (scopeType === "account" || scopeType === "campaign"));
  const campaigns = useCampaignOptions(open && scopeType === "campaign" ? accountId : null);

  /** The target as last seen: setting one where there was none turns its rule on. */
  const lastTarget = useRef<number | null | undefined>(null);
  useEffect(() => {
    if (!open) return;
    form.resetFields();
    const values = budget ? toFormValues(budget) : newBudgetValues(reportingCurrency);
    form.setFieldsValue(values);
    lastTarget.current = values.target_roas_pct;
    setProblems([]);
  }, [open, budget, reportingCurrency, form]);

  const onValuesChange = (changed: Partial<BudgetFormValues>) => {
    if (!("target_roas_pct" in changed)) return;
    const rule = targetRuleSwitch(lastTarget.current, changed.target_roas_pct);
    lastTarget.current = changed.target_roas_pct;
    if (rule !== null) form.setFieldValue(["rules", "predicted_roas", "enabled"], rule);
  };

  const save = useMutation({
    mutationFn: (values: BudgetFormValues) => {
      const input = toBudgetInput(values);
      return budget ? updateBudget(budget.id, input) : createBudget(input);
    },
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.budgets });
      message.success(budget ? `Budget “${saved?.name ?? budget.name}” saved` : "Budget created");
      onClose();
    },
    onError: (err) => setProblems(applyFieldErrors(form, err, budgetFieldPath)),
  });

  const accountOptions = accounts.options
    .filter((a) => !platform || !a.platform || a.platform === platform)
    .map((a) => ({ value: a.value, label: a.label }));

  return (
    <Drawer
      title={budget ? `Edit budget — ${budget.name}` : "New budget"}
      open={open}
      onClose={onClose}
      width={620}
      destroyOnClose
      footer={
        <Space style={{ justifyContent: "flex-end", width: "100%" }}>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="primary" loading={save.isPending} onClick={() => form.submit()}>
            {budget ? "Save budget" : "Create budget"}
          </Button>
        </Space>
      }
    >
      {problems.length > 0 && (
        <Alert type="error" showIcon message="The budget was not saved" description={problems.join(" ")} style={{ marginBottom: 16 }} />
      )}
      <Form<BudgetFormValues>
        form={form}
        layout="vertical"
        onFinish={(values) => {
          setProblems([]);
          save.mutate(values);
        }}
        onValuesChange={onValuesChange}
        requiredMark="optional"
        aria-label="Budget"
      >
        <Form.Item name="name" label="Name" rules={[{ required: true, whitespace: true, message: "Name the budget" }]}>
          <Input placeholder="e.g. Meta prospecting — EU" maxLength={120} />
        </Form.Item>

        <Form.Item name={["scope", "type"]} label="Applies to" rules={[{ required: true }]}>
          <Radio.Group
            optionType="button"
            options={[
              { label: "All channels", value: "all" },
              { label: "A platform", value: "platform" },
              { label: "An account", value: "account" },
              { label: "A campaign", value: "campaign" },
            ]}
            onChange={() => form.setFieldsValue({ scope: { ...form.getFieldValue("scope"), account_id: null, campaign_id: null } })}
          />
        </Form.Item>
        {scopeType && scopeType !== "all" && (
          <Row gutter={12}>
            <Col span={scopeType === "platform" ? 24 : 8}>
              <Form.Item name={["scope", "platform"]} label="Platform" rules={[{ required: true, message: "Choose a platform" }]}>
                <Select
                  options={Object.entries(PLATFORM_LABELS).map(([value, label]) => ({ value, label }))}
                  onChange={() => form.setFieldsValue({ scope: { ...form.getFieldValue("scope"), account_id: null, campaign_id: null } })}
                />
              </Form.Item>
            </Col>
            {(scopeType === "account" || scopeType === "campaign") && (
              <Col span={scopeType === "account" ? 16 : 8}>
                <Form.Item name={["scope", "account_id"]} label="Account" rules={[{ required: true, message: "Choose an account" }]}>
                  <Select
                    showSearch
                    optionFilterProp="label"
                    loading={accounts.loading}
                    options={accountOptions}
                    onChange={() => form.setFieldsValue({ scope: { ...form.getFieldValue("scope"), campaign_id: null } })}
                  />
                </Form.Item>
              </Col>
            )}
            {scopeType === "campaign" && (
              <Col span={8}>
                <Form.Item name={["scope", "campaign_id"]} label="Campaign" rules={[{ required: true, message: "Choose a campaign" }]}>
                  <Select
                    showSearch
                    optionFilterProp="label"
                    loading={campaigns.loading}
                    disabled={!accountId}
                    options={campaigns.options.map((c) => ({ value: c.value, label: c.label }))}
                  />
                </Form.Item>
              </Col>
            )}
          </Row>
        )}

        <Row gutter={12}>
          <Col span={8}>
            <Form.Item name="period" label="Period" rules={[{ required: true }]}>
              <Radio.Group
                optionType="button"
                options={[
                  { label: "Month", value: "month" },
                  { label: "Quarter", value: "quarter" },
                ]}
              />
            </Form.Item>
          </Col>
          <Col span={16}>
            <Form.Item name="period_start" label={period === "quarter" ? "Quarter" : "Month"} rules={[{ required: true, message: "Choose the period" }]}>
              <DatePicker picker={period === "quarter" ? "quarter" : "month"} style={{ width: "100%" }} allowClear={false} />
            </Form.Item>
          </Col>
        </Row>

        <Row gutter={12}>
          <Col span={16}>
            <Form.Item
              name="amount"
              label="Amount"
              rules={[
                { required: true, message: "Enter the budget amount" },
                { type: "number", min: 0.01, message: "The amount must be positive" },
              ]}
            >
              <InputNumber style={{ width: "100%" }} min={0} step={100} placeholder="50000" />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="currency" label="Currency" rules={[{ required: true }]}>
              <Select
                showSearch
                options={Array.from(new Set([reportingCurrency, ...CURRENCIES])).map((c) => ({ value: c, label: c }))}
              />
            </Form.Item>
          </Col>
        </Row>

        <Form.Item
          name="recipients"
          label="Alert recipients"
          tooltip="Who receives this budget's alerts by email"
          rules={[
            {
              validator: (_, value: string[] = []) => {
                const bad = value.filter((v) => !EMAIL.test(v.trim()));
                return bad.length ? Promise.reject(new Error(`Not an email address: ${bad.join(", ")}`)) : Promise.resolve();
              },
            },
          ]}
        >
          <Select mode="tags" tokenSeparators={[",", " ", ";"]} placeholder="finance@example.com" open={false} suffixIcon={null} />
        </Form.Item>

        <Form.Item
          name="target_roas_pct"
          label="Target ROAS"
          tooltip="Predicted 365-day revenue ÷ spend the budget should reach; 120% means every 1 spent returns 1.20. Setting a target turns on its alert rule below."
        >
          <InputNumber style={{ width: 200 }} min={0} step={10} addonAfter="%" placeholder="e.g. 120" />
        </Form.Item>

        <Divider orientation="left" plain>
          Alert rules
        </Divider>
        <RuleRow name="threshold" title="Spend crosses a share of the budget" enabled={rules?.threshold?.enabled}>
          <Form.Item
            name={["rules", "threshold", "levels"]}
            label="At (% of budget)"
            rules={[
              {
                validator: (_, value: (string | number)[] = []) =>
                  value.every((v) => Number(v) > 0 && Number(v) <= 500)
                    ? Promise.resolve()
                    : Promise.reject(new Error("Levels are percentages between 1 and 500")),
              },
            ]}
            normalize={(value: (string | number)[]) => (value ?? []).map((v) => Number(v)).filter((v) => !Number.isNaN(v))}
          >
            <Select mode="tags" tokenSeparators={[",", " "]} open={false} suffixIcon={null} style={{ width: 260 }} />
          </Form.Item>
        </RuleRow>
        <RuleRow name="projected_overspend" title="Projected period-end overspend" enabled={rules?.projected_overspend?.enabled}>
          <Form.Item name={["rules", "projected_overspend", "tolerance_pct"]} label="Tolerance">
            <InputNumber min={0} max={100} addonAfter="%" style={{ width: 160 }} />
          </Form.Item>
        </RuleRow>
        <RuleRow name="predicted_roas" title="Predicted ROAS under the target" enabled={rules?.predicted_roas?.enabled}>
          <Form.Item
            name={["rules", "predicted_roas", "min_customers"]}
            label="Once at least"
            dependencies={["target_roas_pct"]}
            rules={[
              ({ getFieldValue }) => ({
                validator: () =>
                  !getFieldValue(["rules", "predicted_roas", "enabled"]) || getFieldValue("target_roas_pct")
                    ? Promise.resolve()
                    : Promise.reject(new Error("Set a target ROAS for this rule")),
              }),
            ]}
          >
            <InputNumber min={1} addonAfter="customers" style={{ width: 200 }} />
          </Form.Item>
        </RuleRow>
        <RuleRow name="anomaly" title="Unusual daily spend (anomaly)" enabled={rules?.anomaly?.enabled} />
        <RuleRow name="stale_data" title="Data not refreshed" enabled={rules?.stale_data?.enabled}>
          <Form.Item name={["rules", "stale_data", "hours"]} label="For more than">
            <InputNumber min={1} max={720} addonAfter="hours" style={{ width: 180 }} />
          </Form.Item>
        </RuleRow>
        <RuleRow name="credentials" title="Ad account credentials about to expire" enabled={rules?.credentials?.enabled}>
          <Form.Item name={["rules", "credentials", "days_before"]} label="Warn">
            <InputNumber min={1} max={180} addonAfter="days before" style={{ width: 200 }} />
          </Form.Item>
        </RuleRow>
      </Form>
    </Drawer>
  );
}

function RuleRow({
  name,
  title,
  enabled,
  children,
}: {
  name: string;
  title: string;
  enabled?: boolean;
  children?: React.ReactNode;
}) {
  return (
    <div style={{ marginBottom: 12 }}>
      <Space align="center" style={{ marginBottom: 4 }}>
        <Form.Item name={["rules", name, "enabled"]} valuePropName="checked" noStyle>
          <Switch size="small" aria-label={title} />
        </Form.Item>
        <Typography.Text strong={Boolean(enabled)} type={enabled ? undefined : "secondary"}>
          {title}
        </Typography.Text>
      </Space>
      {children && (
        <div style={{ paddingLeft: 36, display: enabled ? "block" : "none" }}>
          <Space wrap size={16}>
            {children}
          </Space>
        </div>
      )}
    </div>
  );
}
