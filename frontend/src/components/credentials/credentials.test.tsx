import { screen, waitFor } from "@testing-library/react";
import { Button, Form } from "antd";
import { CredentialsFields } from "./CredentialsFields";
import { credentialFields, credentialsPayload, humanize, initialCredentialValues, isMasked } from "./schema";
import type { CredentialsSchema } from "../../api/types";
import { AccountForm } from "../../pages/admin/accounts/AccountForm";
import { mockApi, renderApp, session, user, USERS } from "../../test/utils";

const META: CredentialsSchema = {
  type: "object",
  properties: {
    access_token: { type: "string", title: "Access token", description: "A long-lived system-user token" },
    app_id: { type: "string", pattern: "\\d+" },
    app_secret: { type: "string" },
    page_size: { type: "integer" },
  },
  required: ["access_token", "app_id"],
  secret: ["access_token", "app_secret"],
};

const STORED = { access_token: "••••••••0001", app_id: "100200300", app_secret: "••••••••" };

afterEach(() => vi.unstubAllGlobals());

describe("credential fields from a JSON schema", () => {
  it("reads labels, requirement and secrecy from the schema", () => {
    const fields = credentialFields(META);
    expect(fields.map((f) => [f.name, f.label, f.required, f.secret])).toEqual([
      ["access_token", "Access token", true, true],
      ["app_id", "App ID", true, false],
      ["app_secret", "App secret", false, true],
      ["page_size", "Page size", false, false],
    ]);
    expect(humanize("login_customer_id")).toBe("Login customer ID");
  });

  it("treats a PEM private key as a multi-line secret", () => {
    const [key] = credentialFields({ properties: { private_key: { type: "string" } }, secret: ["private_key"] });
    expect(key).toMatchObject({ secret: true, multiline: true });
  });

  it("starts secrets empty and non-secrets from their stored value", () => {
    expect(initialCredentialValues(credentialFields(META), STORED)).toEqual({ app_id: "100200300" });
  });

  it("never sends a mask back and keeps untouched secrets out of an update", () => {
    const fields = credentialFields(META);
    expect(isMasked(STORED.access_token)).toBe(true);
    expect(credentialsPayload(fields, { app_id: "100200300", access_token: STORED.access_token, app_secret: "" }, STORED)).toEqual({
      app_id: "100200300",
    });
    expect(credentialsPayload(fields, { app_id: " 42 ", access_token: "EAAnew", page_size: "50" }, STORED)).toEqual({
      app_id: "42",
      access_token: "EAAnew",
      page_size: 50,
    });
  });
});

function Harness({ onFinish, stored }: { onFinish: (v: unknown) => void; stored?: Record<string, unknown> }) {
  const [form] = Form.useForm();
  const fields = credentialFields(META);
  return (
    <Form form={form} layout="vertical" onFinish={onFinish} initialValues={{ credentials: initialCredentialValues(fields, stored) }}>
      <CredentialsFields fields={fields} stored={stored} />
      <Button htmlType="submit">Save</Button>
    </Form>
  );
}

describe("CredentialsFields", () => {
  it("renders secret fields as password inputs and the others as text", () => {
    renderApp(<Harness onFinish={() => {}} />);
    expect(screen.getByLabelText("Access token")).toHaveAttribute("type", "password");
    expect(screen.getByLabelText("App secret")).toHaveAttribute("type", "password");
    expect(screen.getByLabelText("App ID")).toHaveAttribute("type", "text");
    expect(screen.getByLabelText("Access token")).toHaveAttribute("autocomplete", "new-password");
  });

  it("validates required fields and patterns before submitting", async () => {
    const onFinish = vi.fn();
    renderApp(<Harness onFinish={onFinish} />);
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Access token is required")).toBeInTheDocument();
    expect(screen.getByText("App ID is required")).toBeInTheDocument();
    await user.type(screen.getByLabelText("App ID"), "abc");
    await user.type(screen.getByLabelText("Access token"), "EAAtoken");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("App ID does not have the expected format")).toBeInTheDocument();
    expect(onFinish).not.toHaveBeenCalled();
  });

  it("shows a stored secret only as its mask, and does not require it again", async () => {
    const onFinish = vi.fn();
    renderApp(<Harness onFinish={onFinish} stored={STORED} />);
    const token = screen.getByLabelText("Access token") as HTMLInputElement;
    expect(token.value).toBe("");
    expect(token.placeholder).toBe("Saved: ••••••••0001");
    expect(screen.getByLabelText("App ID")).toHaveValue("100200300");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(onFinish).toHaveBeenCalled());
  });
});

describe("AccountForm", () => {
  const ACCOUNT = {
    id: 7,
    platform: "meta",
    external_id: "act_1",
    name: "Acme Meta",
    currency: "EUR",
    timezone: "Europe/Paris",
    status: "active",
    credentials: STORED,
    credentials_expire_at: null,
    last_error: null,
  };

  function setup() {
    const api = mockApi({
      "GET /api/auth/me": session(USERS.admin),
      "GET /api/platforms": [{ platform: "meta", available: true, configuration_schema: META, secret_fields: ["access_token", "app_secret"], message: null }],
      "PATCH /api/ad-accounts/7": (call) => ({ ...ACCOUNT, ...(call.body as object) }),
      "POST /api/ad-accounts/7/test-connection": { ok: true, message: "Reached act_1", expires_at: "2030-01-01T00:00:00Z" },
    });
    renderApp(<AccountForm open account={ACCOUNT} onClose={() => {}} />);
    return api;
  }

  it("never sends the mask back: untouched secrets are left out of the update", async () => {
    const { calls } = setup();
    const token = (await screen.findByLabelText(/^Access token/)) as HTMLInputElement;
    await waitFor(() => expect(screen.getByLabelText(/^App ID/)).toHaveValue("100200300"));
    expect(token.value).toBe("");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(calls.some((c) => c.method === "PATCH")).toBe(true));
    const patch = calls.find((c) => c.method === "PATCH")!;
    expect(patch.headers["X-CSRF-Token"]).toBe("csrf-123");
    expect(patch.body).toMatchObject({ name: "Acme Meta", credentials: { app_id: "100200300" } });
    expect(JSON.stringify(patch.body)).not.toContain("•");
    expect((patch.body as { credentials: object }).credentials).not.toHaveProperty("access_token");
  });

  it("sends a secret the admin typed", async () => {
    const { calls } = setup();
    await user.type(await screen.findByLabelText(/^Access token/), "EAAfresh");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(calls.some((c) => c.method === "PATCH")).toBe(true));
    expect(calls.find((c) => c.method === "PATCH")!.body).toMatchObject({ credentials: { access_token: "EAAfresh" } });
  });

  it("tests the connection and shows the answer", async () => {
    setup();
    await screen.findByLabelText(/^Access token/);
    await user.click(screen.getByRole("button", { name: /Test connection/ }));
    expect(await screen.findByText("Connection works")).toBeInTheDocument();
    expect(screen.getByText("Reached act_1")).toBeInTheDocument();
  });
});
