/** Users and their role: add a user, change a role, deactivate. */
import { useEffect, useState } from "react";
import { Alert, App, Button, Card, Form, Input, Modal, Select, Space, Switch, Tag, Typography } from "antd";
import { EditOutlined, PlusOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createUser, fetchUsers, queryKeys, updateUser } from "../../api";
import type { ManagedUser, Role, UserInput } from "../../api/types";
import { useAuth } from "../../auth/AuthContext";
import { ROLE_LABELS, ROLES } from "../../auth/permissions";
import { DataTable, type DataColumn } from "../../components/DataTable";
import { EmptyState, QueryView } from "../../components/QueryView";
import { csvFileName } from "../../lib/csv";
import { applyFieldErrors } from "../../lib/formErrors";
import { useFormat } from "../../state/useFormat";

const ROLE_HELP: Record<Role, string> = {
  admin: "Everything, including ad accounts, users and the audit log",
  finance: "Reports, budgets and their alerts",
  marketer: "Reports; budgets and alerts read-only",
};

const ROLE_COLORS: Record<Role, string> = { admin: "purple", finance: "gold", marketer: "blue" };

function UserModal({ open, user, onClose }: { open: boolean; user: ManagedUser | null; onClose: () => void }) {
  const [form] = Form.useForm<UserInput>();
  const { user: me } = useAuth();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [problems, setProblems] = useState<string[]>([]);
  useEffect(() => {
    if (!open) return;
    form.resetFields();
    setProblems([]);
    form.setFieldsValue(user ? { email: user.email, name: user.name, role: user.role, is_active: user.is_active ?? true } : { role: "marketer", is_active: true });
  }, [open, user, form]);
  const save = useMutation({
    mutationFn: (values: UserInput) =>
      user
        ? updateUser(user.id, { name: values.name, role: values.role, is_active: values.is_active })
        : createUser({ email: values.email.trim(), name: values.name?.trim() ?? "", role: values.role, password: values.password }),
    onSuccess: () => {
      message.success(user ? "User saved" : "User added");
      void queryClient.invalidateQueries({ queryKey: queryKeys.users });
      onClose();
    },
    onError: (err) => setProblems(applyFieldErrors(form, err)),
  });
  const self = user && me && user.id === me.id;
  return (
    <Modal
      title={user ? `Edit ${user.name || user.email}` : "Add a user"}
      open={open}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={user ? "Save" : "Add user"}
      confirmLoading={save.isPending}
      destroyOnClose
    >
      {problems.length > 0 && <Alert type="error" showIcon message={problems.join(" ")} style={{ marginBottom: 16 }} />}
      <Form<UserInput> form={form} layout="vertical" onFinish={(v) => save.mutate(v)} requiredMark="optional">
        <Form.Item name="email" label="Email" rules={[{ required: true, type: "email", message: "Enter a valid email" }]}>
          <Input disabled={Boolean(user)} autoComplete="off" />
        </Form.Item>
        <Form.Item name="name" label="Name">
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="role" label="Role" rules={[{ required: true }]} extra={self ? "You cannot change your own role." : undefined}>
          <Select
            disabled={Boolean(self)}
            options={ROLES.map((r) => ({
              value: r,
              label: (
                <span>
                  {ROLE_LABELS[r]} <Typography.Text type="secondary">— {ROLE_HELP[r]}</Typography.Text>
                </span>
              ),
            }))}
          />
        </Form.Item>
        {!user && (
          <Form.Item
            name="password"
            label="Initial password"
            extra="Share it with the user; they can change it from the user menu."
            rules={[
              { required: true, message: "Set an initial password" },
              { min: 10, message: "At least 10 characters" },
            ]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        )}
        {user && (
          <Form.Item name="is_active" label="Active" valuePropName="checked">
            <Switch disabled={Boolean(self)} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

export default function UsersPage() {
  const f = useFormat();
  const [editing, setEditing] = useState<ManagedUser | null>(null);
  const [open, setOpen] = useState(false);
  const users = useQuery({ queryKey: queryKeys.users, queryFn: ({ signal }) => fetchUsers(signal) });
  const columns: DataColumn<ManagedUser>[] = [
    { key: "name", title: "Name", value: (u) => u.name, render: (u) => <span style={{ fontWeight: 500 }}>{u.name || "—"}</span> },
    { key: "email", title: "Email", value: (u) => u.email },
    {
      key: "role",
      title: "Role",
      value: (u) => u.role,
      filterable: true,
      filterLabel: (v) => ROLE_LABELS[v as Role] ?? v,
      render: (u) => <Tag color={ROLE_COLORS[u.role]}>{ROLE_LABELS[u.role] ?? u.role}</Tag>,
    },
    {
      key: "is_active",
      title: "Active",
      value: (u) => (u.is_active === false ? "no" : "yes"),
      filterable: true,
      render: (u) => (u.is_active === false ? <Tag>inactive</Tag> : <Tag color="green">active</Tag>),
    },
    { key: "last_login_at", title: "Last sign-in", value: (u) => u.last_login_at, render: (u) => f.dateTime(u.last_login_at) },
    { key: "created_at", title: "Added", value: (u) => u.created_at, render: (u) => f.date(u.created_at) },
    {
      key: "actions",
      title: "",
      value: () => null,
      sortable: false,
      exportable: false,
      render: (u) => (
        <Button
          size="small"
          icon={<EditOutlined />}
          onClick={() => {
            setEditing(u);
            setOpen(true);
          }}
          aria-label={`Edit ${u.email}`}
        >
          Edit
        </Button>
      ),
    },
  ];
  return (
    <div>
      <div className="page-toolbar">
        <Space>
          {ROLES.map((r) => (
            <Tag key={r} color={ROLE_COLORS[r]} bordered={false}>
              {ROLE_LABELS[r]}: {ROLE_HELP[r].toLowerCase()}
            </Tag>
          ))}
        </Space>
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => {
            setEditing(null);
            setOpen(true);
          }}
        >
          Add user
        </Button>
      </div>
      <Card>
        <QueryView query={users} isEmpty={(d: ManagedUser[]) => d.length === 0} empty={<EmptyState description="No users." />}>
          {(list: ManagedUser[]) => (
            <DataTable<ManagedUser>
              rows={list}
              columns={columns}
              rowKey={(u) => String(u.id)}
              csvName={csvFileName("users")}
              defaultSort={{ key: "name", order: "ascend" }}
              searchPlaceholder="Search users"
            />
          )}
        </QueryView>
      </Card>
      <UserModal open={open} user={editing} onClose={() => setOpen(false)} />
    </div>
  );
}
