/** Add or edit an ad account; the credentials part is generated from the platform's schema. */
import { useEffect, useMemo, useState } from "react";
import { Alert, App, Button, Col, Divider, Drawer, Form, Input, Row, Select, Space, Typography } from "antd";
import { ApiOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  createAdAccount,
  fetchPlatforms,
  queryKeys,
  testAccountConnection,
  testNewConnection,
  updateAdAccount,
} from "../../../api";
import type { AdAccount, ConnectionCheck, PlatformInfo } from "../../../api/types";
import { CredentialsFields } from "../../../components/credentials/CredentialsFields";
import { credentialFields, credentialsPayload, initialCredentialValues } from "../../../components/credentials/schema";
import { ApiError } from "../../../api/client";
import { applyFieldErrors } from "../../../lib/formErrors";
import { platformLabel } from "../../../lib/platforms";
import { useFormat } from "../../../state/useFormat";

interface Values {
  platform: string;
  name: string;
  external_id: string;
  currency?: string;
  timezone?: string;
  status?: string;
  credentials: Record<string, unknown>;
}

function timeZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] };
  try {
    return intl.supportedValuesOf ? intl.supportedValuesOf("timeZone") : [];
  } catch {
    return [];
  }
}

/** The outcome of a connection test, shown under the credentials it tested. A failure about
 * the account id is shown at that field; here it only says that the credentials themselves work. */
export function ConnectionResult({ check }: { check: ConnectionCheck | null }) {
  const f = useFormat();
  if (!check) return null;
  const idProblem = !check.ok && check.field === "external_id";
  const found = check.account;
  return (
    <Alert
      data-testid="connection-result"
      type={check.ok ? "success" : idProblem ? "warning" : "error"}
      showIcon
      message={
        check.ok ? "Connection works" : idProblem ? "The credentials work, but not for this account ID" : "Connection failed"
      }
      description={
        <>
          {idProblem ? <div>See the message under “Account ID on the platform”.</div> : <div>{check.message}</div>}
          {found && (
            <div>
              {found.external_id} is “{found.name}”: {found.currency}, {found.timezone}.
            </div>
          )}
          {typeof check.accounts === "number" && !found && (
            <div>{check.accounts} ad account(s) readable with these credentials.</div>
          )}
          {check.expires_at && <div>Credentials expire {f.dateTime(check.expires_at)}.</div>}
        </>
      }
      style={{ marginBottom: 16 }}
    />
  );
}

export function AccountForm({ open, account, onClose }: { open: boolean; account: AdAccount | null; onClose: () => void }) {
  const [form] = Form.useForm<Values>();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [problems, setProblems] = useState<string[]>([]);
  const [credentialsProblem, setCredentialsProblem] = useState<string | null>(null);
  const [check, setCheck] = useState<ConnectionCheck | null>(null);
  const platforms = useQuery({ queryKey: queryKeys.platforms, queryFn: () => fetchPlatforms(), staleTime: Infinity });
  const platform = Form.useWatch("platform", form) ?? account?.platform;
  const info: PlatformInfo | undefined = platforms.data?.find((p) => p.platform === platform);
  const fields = useMemo(() => credentialFields(info?.schema), [info]);
  const stored = account?.credentials ?? null;
  const zones = useMemo(timeZones, []);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    setProblems([]);
    setCredentialsProblem(null);
    setCheck(null);
    if (account) {
      form.setFieldsValue({
        platform: account.platform,
        name: account.name,
        external_id: account.external_id,
        currency: account.currency,
        timezone: account.timezone,
        status: account.status,
      });
    }
  }, [open, account, form]);

  // The credential inputs follow the platform's schema; start them from the stored non-secrets.
  useEffect(() => {
    if (!open || !fields.length) return;
    form.setFieldValue("credentials", initialCredentialValues(fields, stored));
  }, [open, fields, stored, form]);

  const save = useMutation({
    mutationFn: (values: Values) => {
      const credentials = credentialsPayload(fields, values.credentials, stored);
      if (account) {
        return updateAdAccount(account.id, {
          name: values.name.trim(),
          status: values.status,
          ...(Object.keys(credentials).length ? { credentials } : {}),
        });
      }
      return createAdAccount({
        platform: values.platform,
        name: values.name.trim(),
        external_id: values.external_id.trim(),
        // Left empty, the API reads them from the platform.
        ...(values.currency?.trim() ? { currency: values.currency.trim().toUpperCase() } : {}),
        ...(values.timezone ? { timezone: values.timezone } : {}),
        credentials,
      });
    },
    onSuccess: () => {
      message.success(account ? "Account saved" : "Account added; its first sync is queued");
      void queryClient.invalidateQueries({ queryKey: queryKeys.adAccounts });
      void queryClient.invalidateQueries({ queryKey: queryKeys.syncHealth });
      onClose();
    },
    onError: (err) => {
      // A problem with the credentials as a whole (refused by the platform) sits under them.
      if (err instanceof ApiError && err.fieldErrors.credentials) {
        setCredentialsProblem(err.fieldErrors.credentials.join(" "));
        const { credentials: _, ...rest } = err.fieldErrors;
        err = new ApiError(err.status, err.message, rest, err.code, err.body);
        if (!Object.keys(rest).length) return;
      }
      setProblems(applyFieldErrors(form, err));
    },
  });

  /** Shows a test's failure where it belongs: at the account id, or under the credentials. */
  const showCheck = (result: ConnectionCheck) => {
    setCheck(result);
    if (!result.ok && result.field === "external_id") {
      form.setFields([{ name: "external_id", errors: [result.message] }]);
    }
  };

  const test = useMutation({
    mutationFn: async () => {
      const values = form.getFieldsValue(true) as Values;
      const credentials = credentialsPayload(fields, values.credentials, stored);
      const typedSecret = fields.some((fd) => fd.secret && fd.name in credentials);
      // Stored secrets cannot be read back: with none typed, test what is saved.
      if (account && !typedSecret) return testAccountConnection(account.id);
      await form.validateFields([["platform"], ...fields.map((fd) => ["credentials", fd.name])]);
      const externalId = (values.external_id ?? account?.external_id ?? "").trim();
      return testNewConnection(values.platform ?? account!.platform, credentials, externalId || undefined);
    },
    onMutate: () => {
      setCheck(null);
      setCredentialsProblem(null);
      form.setFields([{ name: "external_id", errors: [] }]);
    },
    onSuccess: showCheck,
    onError: (err) => {
      if (err && typeof err === "object" && "errorFields" in err) return; // the form shows it
      const rest = applyFieldErrors(form, err);
      setCheck({ ok: false, message: rest.join(" ") || (err as Error).message });
    },
  });

  return (
    <Drawer
      title={account ? `Edit ${account.name}` : "Add an ad account"}
      open={open}
      onClose={onClose}
      width={600}
      destroyOnClose
      footer={
        <Space style={{ justifyContent: "space-between", width: "100%" }}>
          <Button icon={<ApiOutlined />} onClick={() => test.mutate()} loading={test.isPending} disabled={!platform}>
            Test connection
          </Button>
          <Space>
            <Button onClick={onClose}>Cancel</Button>
            <Button type="primary" loading={save.isPending} onClick={() => form.submit()}>
              {account ? "Save" : "Add account"}
            </Button>
          </Space>
        </Space>
      }
    >
      {problems.length > 0 && (
        <Alert type="error" showIcon message="Not saved" description={problems.join(" ")} style={{ marginBottom: 16 }} />
      )}
      <Form<Values>
        form={form}
        layout="vertical"
        requiredMark="optional"
        aria-label="Ad account"
        onValuesChange={(changed: Partial<Values>) => {
          // A test answered for other values: it no longer says anything about these.
          if ("platform" in changed || "external_id" in changed || "credentials" in changed) {
            setCheck(null);
            setCredentialsProblem(null);
          }
        }}
        onFinish={(values) => {
          setProblems([]);
          save.mutate(values);
        }}
      >
        <Form.Item name="platform" label="Platform" rules={[{ required: true, message: "Choose the platform" }]}>
          <Select
            disabled={Boolean(account)}
            loading={platforms.isPending}
            options={(platforms.data ?? []).map((p) => ({
              value: p.platform,
              label: p.available === false ? `${p.label ?? platformLabel(p.platform)} — unavailable: ${p.message ?? ""}` : p.label ?? platformLabel(p.platform),
              disabled: p.available === false,
            }))}
            onChange={() => setCheck(null)}
          />
        </Form.Item>
        <Row gutter={12}>
          <Col span={14}>
            <Form.Item name="name" label="Name" rules={[{ required: true, whitespace: true, message: "Name the account" }]}>
              <Input placeholder="e.g. Acme — Meta EU" />
            </Form.Item>
          </Col>
          <Col span={10}>
            <Form.Item
              name="external_id"
              label="Account ID on the platform"
              rules={[
                { required: true, whitespace: true, message: "Enter the platform's account ID" },
                { pattern: /^[A-Za-z0-9_.:-]{1,64}$/, message: "Letters, digits and _ . : - only" },
              ]}
            >
              <Input placeholder="act_1234… / 1234567890 / org id" spellCheck={false} disabled={Boolean(account)} />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={12}>
          <Col span={8}>
            <Form.Item
              name="currency"
              label="Currency"
              tooltip="The account's own billing currency (ISO 4217). Leave empty to read it from the platform."
              normalize={(v: string) => v?.toUpperCase()}
              rules={[{ pattern: /^[A-Za-z]{3}$/, message: "Three letters, e.g. USD" }]}
            >
              <Input
                maxLength={3}
                placeholder={check?.account ? `${check.account.currency} (from platform)` : "from platform"}
                disabled={Boolean(account)}
              />
            </Form.Item>
          </Col>
          <Col span={account ? 9 : 16}>
            <Form.Item
              name="timezone"
              label="Time zone"
              tooltip="The account's reporting time zone: its days are counted in it. Leave empty to read it from the platform."
            >
              {zones.length ? (
                <Select
                  showSearch
                  allowClear
                  disabled={Boolean(account)}
                  options={zones.map((z) => ({ value: z, label: z }))}
                  placeholder={check?.account ? `${check.account.timezone} (from platform)` : "from platform"}
                />
              ) : (
                <Input placeholder="from platform" disabled={Boolean(account)} />
              )}
            </Form.Item>
          </Col>
          {account && (
            <Col span={7}>
              <Form.Item name="status" label="Status">
                <Select
                  options={[
                    { value: "active", label: "Active" },
                    { value: "disabled", label: "Disabled" },
                    ...(account.status === "needs_credentials" ? [{ value: "needs_credentials", label: "Needs credentials" }] : []),
                  ]}
                />
              </Form.Item>
            </Col>
          )}
        </Row>
        <Divider orientation="left" plain>
          Credentials
        </Divider>
        {!platform ? (
          <Typography.Text type="secondary">Choose a platform to see the credentials it needs.</Typography.Text>
        ) : fields.length ? (
          <CredentialsFields fields={fields} stored={stored} />
        ) : (
          <Typography.Text type="secondary">{platforms.isPending ? "Loading…" : "This platform needs no credentials."}</Typography.Text>
        )}
        {credentialsProblem && (
          <Alert
            data-testid="credentials-problem"
            type="error"
            showIcon
            message="The platform did not accept these credentials"
            description={credentialsProblem}
            style={{ marginBottom: 16 }}
          />
        )}
        <ConnectionResult check={check} />
      </Form>
    </Drawer>
  );
}
