/** Create or edit a budget and its alert rules (finance and admin); the rules' rows and their
 * inputs are built from the rules the API lists (GET /api/alerts/rules). */
import { useLayoutEffect, useRef, useState } from "react";
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
  Spin,
  Switch,
  Typography,
} from "antd";
import type { Rule } from "antd/es/form";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { createBudget, queryKeys, updateBudget } from "../../api";
import type { AlertRuleInfo, Budget, RuleParameter } from "../../api/types";
import { platformOptions } from "../../lib/platforms";
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
import { useAlertRules } from "../alerts/rules";

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
  const catalog = useAlertRules();
  const ruleList = catalog.data;

  const accounts = useAccountOptions(open && (scopeType === "account" || scopeType === "campaign"));
  const campaigns = useCampaignOptions(open && scopeType === "campaign" ? accountId : null);

  /** The target as last seen: setting one where there was none turns its rule on. */
  const lastTarget = useRef<number | null | undefined>(null);
  // a layout effect: the form appears with the rules and is filled before anyone can type
  useLayoutEffect(() => {
    if (!open || !ruleList) return;
    form.resetFields();
    const values = budget ? toFormValues(budget) : newBudgetValues(reportingCurrency, ruleList);
    form.setFieldsValue(values);
    lastTarget.current = values.target_roas_pct;
    setProblems([]);
  }, [open, budget, reportingCurrency, form, ruleList]);

  const onValuesChange = (changed: Partial<BudgetFormValues>) => {
    if (!("target_roas_pct" in changed)) return;
    const rule = targetRuleSwitch(lastTarget.current, changed.target_roas_pct);
    lastTarget.current = changed.target_roas_pct;
    if (rule === null) return;
    for (const r of ruleList ?? []) if (r.needs_target_roas) form.setFieldValue(["rules", r.name, "enabled"], rule);
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
      {catalog.isError && <Alert type="error" showIcon message="The alert rules could not be loaded" description={catalog.error.message} />}
      {!ruleList && !catalog.isError && <Spin />}
      {ruleList && problems.length > 0 && (
        <Alert type="error" showIcon message="The budget was not saved" description={problems.join(" ")} style={{ marginBottom: 16 }} />
      )}
      {ruleList && (
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
                  options={platformOptions()}
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
        {ruleList.map((rule) => (
          <RuleRow key={rule.name} rule={rule} enabled={Boolean(rules?.[rule.name]?.enabled)} />
        ))}
      </Form>
      )}
    </Drawer>
  );
}

/** A rule's switch, label and description, and the inputs of its parameters while it is on. */
function RuleRow({ rule, enabled }: { rule: AlertRuleInfo; enabled: boolean }) {
  const parameters = Object.entries(rule.parameters.properties ?? {});
  return (
    <div style={{ marginBottom: 12 }}>
      <Space align="center" style={{ marginBottom: 4 }}>
        <Form.Item name={["rules", rule.name, "enabled"]} valuePropName="checked" noStyle>
          <Switch size="small" aria-label={rule.label} />
        </Form.Item>
        <Typography.Text strong={enabled} type={enabled ? undefined : "secondary"}>
          {rule.label}
        </Typography.Text>
      </Space>
      <div style={{ paddingLeft: 36 }}>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {rule.description}
        </Typography.Text>
      </div>
      {parameters.length > 0 && (
        <div style={{ paddingLeft: 36, marginTop: 4, display: enabled ? "block" : "none" }}>
          <Space wrap size={16}>
            {parameters.map(([name, property]) => (
              <ParameterInput key={name} rule={rule} name={name} property={property} />
            ))}
          </Space>
        </div>
      )}
    </div>
  );
}

/** A rule that needs a target ROAS cannot be on without one. */
function needsTarget(ruleName: string): Rule {
  return ({ getFieldValue }) => ({
    validator: () =>
      !getFieldValue(["rules", ruleName, "enabled"]) || getFieldValue("target_roas_pct")
        ? Promise.resolve()
        : Promise.reject(new Error("Set a target ROAS for this rule")),
  });
}

/** One parameter's input from its JSON schema: a list of numbers as tags, a number otherwise. */
function ParameterInput({ rule, name, property }: { rule: AlertRuleInfo; name: string; property: RuleParameter }) {
  const title = property.title ?? name.replace(/_/g, " ");
  const unit = property["x-unit"];
  const checks: Rule[] = rule.needs_target_roas ? [needsTarget(rule.name)] : [];
  if (property.type === "array") {
    const { minimum = -Infinity, maximum = Infinity } = property.items ?? {};
    checks.push({
      validator: (_, value: (string | number)[] = []) =>
        value.every((v) => Number(v) >= minimum && Number(v) <= maximum)
          ? Promise.resolve()
          : Promise.reject(new Error(`Each value must be between ${minimum} and ${maximum}`)),
    });
    return (
      <Form.Item
        name={["rules", rule.name, name]}
        label={unit ? `${title} (${unit})` : title}
        tooltip={property.description}
        rules={checks}
        dependencies={rule.needs_target_roas ? ["target_roas_pct"] : undefined}
        normalize={(value: (string | number)[]) => (value ?? []).map((v) => Number(v)).filter((v) => !Number.isNaN(v))}
      >
        <Select mode="tags" tokenSeparators={[",", " "]} open={false} suffixIcon={null} style={{ width: 260 }} />
      </Form.Item>
    );
  }
  return (
    <Form.Item
      name={["rules", rule.name, name]}
      label={title}
      tooltip={property.description}
      rules={checks}
      dependencies={rule.needs_target_roas ? ["target_roas_pct"] : undefined}
    >
      <InputNumber
        min={property.minimum}
        max={property.maximum}
        precision={property.type === "integer" ? 0 : undefined}
        addonAfter={unit}
        style={{ width: 200 }}
      />
    </Form.Item>
  );
}
