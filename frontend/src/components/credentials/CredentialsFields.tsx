/** The credential inputs of a connector, generated from its JSON schema; used inside a Form
 * under the name `credentials`. Secret fields are password inputs that never show a value. */
import { Button, Form, Input, InputNumber, Select, Switch, Typography, Upload } from "antd";
import type { Rule } from "antd/es/form";
import { UploadOutlined } from "@ant-design/icons";
import type { CredentialField } from "./schema";
import { hasStoredSecret } from "./schema";

interface CredentialsFieldsProps {
  fields: CredentialField[];
  /** The masked credentials of an existing account (absent for a new one). */
  stored?: Record<string, unknown> | null;
  name?: string;
}

function rulesFor(field: CredentialField, storedSecret: boolean): Rule[] {
  const rules: Rule[] = [];
  if (field.required && !storedSecret) {
    rules.push({ required: true, whitespace: true, message: `${field.label} is required` });
  }
  const p = field.property;
  if (p.pattern && (p.type ?? "string") === "string") {
    rules.push({ pattern: new RegExp(`^(?:${p.pattern})$`), message: `${field.label} does not have the expected format` });
  }
  if (p.minLength) rules.push({ min: p.minLength, message: `At least ${p.minLength} characters` });
  if (p.maxLength) rules.push({ max: p.maxLength, message: `At most ${p.maxLength} characters` });
  return rules;
}

export function CredentialsFields({ fields, stored, name = "credentials" }: CredentialsFieldsProps) {
  const form = Form.useFormInstance();
  return (
    <>
      {fields.map((field) => {
        const storedSecret = field.secret && hasStoredSecret(stored, field.name);
        const path = [name, field.name];
        const p = field.property;
        const extra = field.secret ? (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {storedSecret
              ? "A value is saved (encrypted). Leave empty to keep it; type a new one to replace it."
              : "Stored encrypted; it will not be shown again."}
          </Typography.Text>
        ) : undefined;

        let input: React.ReactNode;
        let valuePropName = "value";
        if (p.enum?.length) {
          input = <Select options={p.enum.map((v) => ({ value: v, label: String(v) }))} allowClear={!field.required} />;
        } else if (p.type === "boolean") {
          valuePropName = "checked";
          input = <Switch />;
        } else if (p.type === "integer" || p.type === "number") {
          input = <InputNumber style={{ width: "100%" }} precision={p.type === "integer" ? 0 : undefined} />;
        } else if (field.secret) {
          input = (
            <Input.Password
              autoComplete="new-password"
              placeholder={storedSecret ? `Saved: ${String(stored?.[field.name])}` : undefined}
              data-secret="true"
              // A pasted PEM keeps its line breaks (a password input would drop them).
              onPaste={
                field.multiline
                  ? (e) => {
                      const text = e.clipboardData.getData("text");
                      if (text.includes("\n")) {
                        e.preventDefault();
                        form.setFieldValue(path, text);
                        void form.validateFields([path]);
                      }
                    }
                  : undefined
              }
            />
          );
        } else if (field.multiline) {
          input = <Input.TextArea autoSize={{ minRows: 3, maxRows: 10 }} spellCheck={false} className="mono" />;
        } else {
          input = <Input autoComplete="off" spellCheck={false} />;
        }

        return (
          <Form.Item
            key={field.name}
            name={path}
            label={field.label}
            tooltip={field.help}
            required={field.required}
            rules={rulesFor(field, storedSecret)}
            valuePropName={valuePropName}
            extra={
              field.secret && field.multiline ? (
                <div>
                  {extra}
                  <div style={{ marginTop: 4 }}>
                    <Upload
                      accept=".pem,.p8,.key,.txt"
                      showUploadList={false}
                      beforeUpload={(file) => {
                        void file.text().then((text) => {
                          form.setFieldValue(path, text);
                          void form.validateFields([path]);
                        });
                        return false;
                      }}
                    >
                      <Button size="small" icon={<UploadOutlined />}>
                        Load from a file
                      </Button>
                    </Upload>
                  </div>
                </div>
              ) : (
                extra
              )
            }
          >
            {input}
          </Form.Item>
        );
      })}
    </>
  );
}
