/** The frame of every page: the sider with role-aware navigation, the header with the date
 * range, the reporting currency and the user menu. */
import { Suspense, useState } from "react";
import { Outlet, useLocation, useNavigate } from "react-router";
import { Avatar, Badge, Dropdown, Layout, Menu, Spin, Tag, Tooltip, Typography } from "antd";
import type { MenuProps } from "antd";
import {
  AlertOutlined,
  ApiOutlined,
  AuditOutlined,
  CloudUploadOutlined,
  DashboardOutlined,
  ExperimentOutlined,
  FundOutlined,
  KeyOutlined,
  NodeIndexOutlined,
  SafetyOutlined,
  SwapOutlined,
  LogoutOutlined,
  TeamOutlined,
  WalletOutlined,
} from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { usePlatforms } from "../lib/platforms";
import { useAuth } from "../auth/AuthContext";
import { navItemsFor, type NavItem } from "../auth/nav";
import { ROLE_LABELS, can } from "../auth/permissions";
import { fetchAlerts, queryKeys } from "../api";
import { useRangeSearch, useReport } from "../state/report";
import { DateRangeControl } from "./DateRangeControl";
import { ChangePasswordModal } from "./ChangePasswordModal";
import { Logo } from "./Logo";

const ICONS: Record<NavItem["icon"], React.ReactNode> = {
  overview: <DashboardOutlined />,
  channels: <FundOutlined />,
  cohorts: <ExperimentOutlined />,
  traffic: <SafetyOutlined />,
  budgets: <WalletOutlined />,
  recommendations: <SwapOutlined />,
  alerts: <AlertOutlined />,
  accounts: <ApiOutlined />,
  data: <CloudUploadOutlined />,
  models: <NodeIndexOutlined />,
  users: <TeamOutlined />,
  audit: <AuditOutlined />,
};

/** Pages that use the global date range (the others hide the picker). */
const RANGED = ["/overview", "/channels", "/cohorts"];

function initials(name: string, email: string) {
  const source = name?.trim() || email;
  const parts = source.split(/[\s@.]+/).filter(Boolean);
  return (parts[0]?.[0] ?? "?").toUpperCase() + (parts[1]?.[0] ?? "").toUpperCase();
}

export function AppLayout() {
  const { user, signOut } = useAuth();
  const { currency } = useReport();
  const location = useLocation();
  const navigate = useNavigate();
  const rangeSearch = useRangeSearch();
  const [collapsed, setCollapsed] = useState(false);
  const [passwordOpen, setPasswordOpen] = useState(false);

  const openAlerts = useQuery({
    queryKey: queryKeys.alerts("unresolved"),
    queryFn: ({ signal }) => fetchAlerts("unresolved", signal),
    enabled: can(user?.role, "viewAlerts"),
    refetchInterval: 5 * 60_000,
  });
  const openCount = openAlerts.data?.length ?? 0;
  // every page names and colours platforms as the API declares them
  const platforms = usePlatforms();

  const items = navItemsFor(user?.role);
  const current = items
    .filter((i) => location.pathname === i.path || location.pathname.startsWith(`${i.path}/`))
    .sort((a, b) => b.path.length - a.path.length)[0];

  const toMenuItem = (item: NavItem) => ({
    key: item.path,
    icon: ICONS[item.icon],
    label:
      item.icon === "alerts" && openCount > 0 ? (
        <span className="menu-label-with-badge">
          {item.label}
          <Badge count={openCount} size="small" overflowCount={99} />
        </span>
      ) : (
        item.label
      ),
  });
  const main = items.filter((i) => !i.group).map(toMenuItem);
  const admin = items.filter((i) => i.group === "admin").map(toMenuItem);
  const menuItems: MenuProps["items"] = [
    ...main,
    ...(admin.length ? [{ type: "group" as const, key: "admin", label: "Administration", children: admin }] : []),
  ];

  const userMenu: MenuProps = {
    items: [
      {
        key: "who",
        disabled: true,
        label: (
          <div className="user-menu-who">
            <div className="user-menu-name">{user?.name || user?.email}</div>
            <div className="user-menu-email">{user?.email}</div>
          </div>
        ),
      },
      { type: "divider" },
      { key: "password", icon: <KeyOutlined />, label: "Change password" },
      { key: "logout", icon: <LogoutOutlined />, label: "Sign out", danger: true },
    ],
    onClick: async ({ key }) => {
      if (key === "password") setPasswordOpen(true);
      if (key === "logout") {
        await signOut();
        navigate("/login", { replace: true });
      }
    },
  };

  const showRange = RANGED.some((p) => location.pathname.startsWith(p));

  return (
    <Layout className="app-shell">
      <Layout.Sider
        collapsible
        collapsed={collapsed}
        onCollapse={setCollapsed}
        breakpoint="lg"
        width={232}
        theme="light"
        className="app-sider"
      >
        <div className="app-logo" onClick={() => navigate(`/overview${rangeSearch}`)}>
          <Logo />
          {!collapsed && <span className="app-logo-text">Spendlens</span>}
        </div>
        <nav aria-label="Main">
          <Menu
            mode="inline"
            selectedKeys={current ? [current.path] : []}
            items={menuItems}
            onClick={({ key }) => navigate(`${key}${rangeSearch}`)}
          />
        </nav>
      </Layout.Sider>
      <Layout>
        <Layout.Header className="app-header">
          <Typography.Title level={4} className="app-page-title">
            {current?.label ?? ""}
          </Typography.Title>
          <div className="app-header-tools">
            {showRange && <DateRangeControl />}
            {currency && (
              <Tooltip title="Reporting currency: every amount is converted at the rate of its day">
                <Tag className="currency-tag" data-testid="currency">
                  {currency}
                </Tag>
              </Tooltip>
            )}
            <Dropdown menu={userMenu} trigger={["click"]} placement="bottomRight">
              <button type="button" className="user-button" aria-label="User menu">
                <Avatar size="small" style={{ background: "#3b5bdb" }}>
                  {initials(user?.name ?? "", user?.email ?? "")}
                </Avatar>
                <span className="user-button-name">{user?.name || user?.email}</span>
                {user && <Tag bordered={false}>{ROLE_LABELS[user.role] ?? user.role}</Tag>}
              </button>
            </Dropdown>
          </div>
        </Layout.Header>
        <Layout.Content className="app-content">
          <Suspense
            fallback={
              <div className="page-loading">
                <Spin />
              </div>
            }
          >
            {platforms.ready ? (
              <Outlet />
            ) : (
              <div className="page-loading">
                <Spin />
              </div>
            )}
          </Suspense>
        </Layout.Content>
      </Layout>
      <ChangePasswordModal open={passwordOpen} onClose={() => setPasswordOpen(false)} />
    </Layout>
  );
}
