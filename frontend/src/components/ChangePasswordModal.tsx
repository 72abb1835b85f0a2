/** Change one's own password (POST /api/auth/password). */
import { useState } from "react";
import { Alert, Form, Input, Modal, message } from "antd";
import { changePassword } from "../api";
import { applyFieldErrors } from "../lib/formErrors";

interface Values {
  current_password: string;
  new_password: string;
  confirm: string;
}

export function ChangePasswordModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);

  const submit = async () => {
    const values = await form.validateFields();
    setSaving(true);
    setErrors([]);
    try {
      await changePassword(values.current_password, values.new_password);
      message.success("Password changed");
      form.resetFields();
      onClose();
    } catch (err) {
      setErrors(applyFieldErrors(form, err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      title="Change password"
      open={open}
      onOk={submit}
      okText="Change password"
      confirmLoading={saving}
      onCancel={() => {
        form.resetFields();
        setErrors([]);
        onClose();
      }}
      destroyOnClose
    >
      {errors.length > 0 && <Alert type="error" showIcon message={errors.join(" ")} style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical" requiredMark={false}>
        <Form.Item name="current_password" label="Current password" rules={[{ required: true, message: "Enter your current password" }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item
          name="new_password"
          label="New password"
          rules={[
            { required: true, message: "Choose a new password" },
            { min: 10, message: "At least 10 characters" },
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label="Repeat the new password"
          dependencies={["new_password"]}
          rules={[
            { required: true, message: "Repeat the new password" },
            ({ getFieldValue }) => ({
              validator: (_, value) =>
                !value || value === getFieldValue("new_password")
                  ? Promise.resolve()
                  : Promise.reject(new Error("The two passwords differ")),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
