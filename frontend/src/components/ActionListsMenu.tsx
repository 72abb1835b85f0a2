/** A button that downloads the customers of a scope (a campaign, a cohort) to act on: likely to
 * pay, likely to churn or suspected, as CSV. A list the API cannot give (e.g. no first-purchase
 * model is active yet) shows the API's message instead of saving it as a file. */
import { App, Button, Dropdown, Tooltip } from "antd";
import { DownloadOutlined } from "@ant-design/icons";
import { ACTION_LISTS, actionListUrl, downloadActionList, type ActionListKind, type ActionListScope } from "../api/actionLists";

export function ActionListsMenu({
  scope,
  kinds,
  label = "Customer lists",
  size,
}: {
  scope: ActionListScope;
  kinds?: ActionListKind[];
  label?: string;
  size?: "small" | "middle";
}) {
  const { message } = App.useApp();
  const lists = ACTION_LISTS.filter((l) => !kinds || kinds.includes(l.kind));
  const items = lists.map((l) => ({
    key: l.kind,
    label: (
      <Tooltip title={l.help} placement="left">
        <a
          href={actionListUrl(l.kind, scope)}
          download
          data-testid={`action-list-${l.kind}`}
          onClick={(event) => {
            event.preventDefault();
            downloadActionList(l.kind, scope).catch((err: Error) => message.error(err.message));
          }}
        >
          {l.label} (CSV)
        </a>
      </Tooltip>
    ),
  }));
  return (
    <Dropdown menu={{ items }} trigger={["click"]}>
      <Button size={size} icon={<DownloadOutlined />} data-testid="action-lists">
        {label}
      </Button>
    </Dropdown>
  );
}
