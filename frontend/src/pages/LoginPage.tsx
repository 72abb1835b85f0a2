/** Sign in with email and password; then back to the page that asked for it. */
import { useState } from "react";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { Alert, Button, Card, Form, Input, Typography } from "antd";
import { LockOutlined, MailOutlined } from "@ant-design/icons";
import { ApiError } from "../api/client";
import { useAuth } from "../auth/AuthContext";
import { safeNext } from "../auth/guards";
import { applyFieldErrors } from "../lib/formErrors";
import { Logo } from "../components/Logo";

interface Values {
  email: string;
  password: string;
}

export default function LoginPage() {
  const { user, signIn } = useAuth();
  const [form] = Form.useForm<Values>();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [submitting, setSubmitting] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const next = safeNext(params.get("next"));

  if (user) return <Navigate to={next} replace />;

  const submit = async (values: Values) => {
    setSubmitting(true);
    setProblem(null);
    try {
      await signIn(values.email.trim(), values.password);
      navigate(next, { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        setProblem(err.message && err.message !== "Unauthorized" ? err.message : "Wrong email or password.");
      } else if (err instanceof ApiError && err.status === 429) {
        setProblem(err.message || "Too many attempts. Wait a few minutes and try again.");
      } else {
        const rest = applyFieldErrors(form, err);
        if (rest.length) setProblem(rest.join(" "));
      }
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <main className="login-page">
      <Card className="login-card" bordered={false}>
        <div className="login-brand">
          <Logo size={36} />
          <span>Spendlens</span>
        </div>
        <Typography.Paragraph type="secondary" style={{ marginBottom: 24 }}>
          Ad spend, ROI and budget pacing across your ad platforms.
        </Typography.Paragraph>
        {problem && (
          <Alert type="error" showIcon message={problem} style={{ marginBottom: 16 }} data-testid="login-error" />
        )}
        <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} disabled={submitting}>
          <Form.Item
            name="email"
            label="Email"
            rules={[
              { required: true, message: "Enter your email" },
              { type: "email", message: "Enter a valid email" },
            ]}
          >
            <Input prefix={<MailOutlined />} autoComplete="username" autoFocus size="large" />
          </Form.Item>
          <Form.Item name="password" label="Password" rules={[{ required: true, message: "Enter your password" }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" size="large" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block size="large" loading={submitting}>
            Sign in
          </Button>
        </Form>
      </Card>
    </main>
  );
}
