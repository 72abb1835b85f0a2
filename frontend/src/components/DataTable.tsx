/**
 * A report table: sortable on every column (missing values last in either direction),
 * filterable (a search box over text columns and per-column value filters), with totals and a
 * client-side CSV export of exactly the rows shown (raw numbers, not formatted text) — the one
 * export of each table.
 *
 * A table wider than the page scrolls sideways with its first column fixed, a shadow on the side
 * with more columns and a hint above it. A note under a figure (how far to trust a prediction)
 * wraps within a narrow width under it, so a long note does not widen its column and push the
 * figure out of view.
 */
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { Button, Input, Space, Table, Tooltip, Typography } from "antd";
import type { TableColumnsType, TableProps } from "antd";
import type { SortOrder } from "antd/es/table/interface";
import { ArrowRightOutlined, DownloadOutlined, QuestionCircleOutlined, SearchOutlined } from "@ant-design/icons";
import { formatMetric, INCOMPLETE, MISSING, toNumber, type MetricKind } from "../lib/format";
import { downloadCsv, toCsv, type CsvColumn } from "../lib/csv";
import { useReport } from "../state/report";

export interface DataColumn<T> {
  key: string;
  title: string;
  /** Explanation shown as a tooltip on the header. */
  help?: string;
  kind?: MetricKind;
  /** The raw value: what sorting, filtering and the CSV use. */
  value: (row: T) => unknown;
  /** Custom cell; the default formats `value` by `kind`. */
  render?: (row: T) => ReactNode;
  /** A line under the formatted value (e.g. how far to trust a prediction); not exported. */
  note?: (row: T) => ReactNode;
  /** What a missing (null) value means, shown instead of "—", e.g. "not reported" (exported
   * empty), with its explanation as a tooltip. */
  missing?: { text: string; tooltip?: string };
  /** false when the value is not final yet (shown as "incomplete", exported empty). */
  complete?: (row: T) => boolean | null | undefined;
  currency?: string | null;
  sortable?: boolean;
  /** Offer a value filter with the distinct values of the column. */
  filterable?: boolean;
  filterLabel?: (value: string) => string;
  /** Included in the search box (text columns are by default). */
  searchable?: boolean;
  width?: number;
  fixed?: "left" | "right";
  exportable?: boolean;
  /** Exported to CSV but not shown as a column. */
  hidden?: boolean;
}

export interface SortState {
  key: string;
  order: "ascend" | "descend";
}

interface DataTableProps<T> {
  rows: readonly T[];
  columns: DataColumn<T>[];
  rowKey: (row: T) => string;
  /** File name of the CSV export. */
  csvName: string;
  title?: ReactNode;
  extra?: ReactNode;
  totals?: Partial<Record<string, unknown>> | null;
  totalsLabel?: string;
  defaultSort?: SortState;
  onRowClick?: (row: T) => void;
  rowTitle?: string;
  pageSize?: number;
  loading?: boolean;
  size?: "small" | "middle";
  searchPlaceholder?: string;
  expandable?: TableProps<T>["expandable"];
  emptyText?: ReactNode;
}

/** Whether the table is wider than its box (kept current as either changes size). */
function useOverflows(deps: unknown[]) {
  const box = useRef<HTMLDivElement>(null);
  const [overflows, setOverflows] = useState(false);
  useEffect(() => {
    const root = box.current;
    if (!root) return;
    const measure = () => {
      const container = root.querySelector<HTMLElement>(".ant-table-container");
      const table = root.querySelector<HTMLElement>(".ant-table-body > table, .ant-table-content > table");
      if (!container || !table) return;
      setOverflows(table.getBoundingClientRect().width > container.getBoundingClientRect().width + 1);
    };
    measure();
    const frame = requestAnimationFrame(measure);
    if (typeof ResizeObserver === "undefined") return () => cancelAnimationFrame(frame);
    const observer = new ResizeObserver(measure);
    observer.observe(root);
    root.querySelectorAll("table").forEach((table) => observer.observe(table));
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return { box, overflows };
}

/** A note under a cell's figure: wrapped within a narrow width, on the figure's side. */
export function CellNote({ numeric, children }: { numeric: boolean; children: ReactNode }) {
  if (children === null || children === undefined || children === false) return null;
  return <div className={numeric ? "cell-note cell-note-end" : "cell-note"}>{children}</div>;
}

const NUMERIC_KINDS: MetricKind[] = ["money", "integer", "number", "ratioPercent", "percent", "roas", "multiple", "days"];

function isNumeric(kind: MetricKind | undefined) {
  return Boolean(kind && NUMERIC_KINDS.includes(kind));
}

/** The value a cell sorts by; null for missing and not-final values. */
function sortValue<T>(column: DataColumn<T>, row: T): number | string | null {
  if (column.complete?.(row) === false) return null;
  const raw = column.value(row);
  if (isNumeric(column.kind)) return toNumber(raw as never);
  if (raw === null || raw === undefined || raw === "") return null;
  return String(raw).toLocaleLowerCase();
}

export function compareRows<T>(column: DataColumn<T>, order: "ascend" | "descend") {
  return (a: T, b: T): number => {
    const va = sortValue(column, a);
    const vb = sortValue(column, b);
    if (va === null && vb === null) return 0;
    if (va === null) return 1; // missing last, whatever the direction
    if (vb === null) return -1;
    const c = typeof va === "number" && typeof vb === "number" ? va - vb : String(va).localeCompare(String(vb));
    return order === "ascend" ? c : -c;
  };
}

function csvHeader<T>(column: DataColumn<T>): string {
  return column.kind === "money" && column.currency ? `${column.title} (${column.currency})` : column.title;
}

export function csvColumns<T>(columns: DataColumn<T>[]): CsvColumn<T>[] {
  return columns
    .filter((c) => c.exportable !== false)
    .map((c) => ({
      header: csvHeader(c),
      value: (row: T) => (c.complete?.(row) === false ? null : c.value(row)),
    }));
}

/** The rows shown: search, value filters and sort applied (what the CSV exports). */
export function visibleRows<T>(
  rows: readonly T[],
  columns: DataColumn<T>[],
  search: string,
  filters: Record<string, string[]>,
  sort: SortState | null,
): T[] {
  const needle = search.trim().toLocaleLowerCase();
  const searchable = columns.filter((c) => c.searchable ?? (!c.kind || c.kind === "text"));
  let out = rows.filter((row) => {
    for (const [key, values] of Object.entries(filters)) {
      if (!values?.length) continue;
      const column = columns.find((c) => c.key === key);
      if (column && !values.includes(String(column.value(row) ?? ""))) return false;
    }
    if (!needle) return true;
    return searchable.some((c) => String(c.value(row) ?? "").toLocaleLowerCase().includes(needle));
  });
  if (sort) {
    const column = columns.find((c) => c.key === sort.key);
    if (column) out = [...out].sort(compareRows(column, sort.order));
  }
  return out;
}

export function DataTable<T extends object>({
  rows,
  columns,
  rowKey,
  csvName,
  title,
  extra,
  totals,
  totalsLabel = "Total",
  defaultSort,
  onRowClick,
  rowTitle,
  pageSize = 25,
  loading,
  size = "middle",
  searchPlaceholder = "Search",
  expandable,
  emptyText,
}: DataTableProps<T>) {
  const { locale } = useReport();
  const [search, setSearch] = useState("");
  const [filters, setFilters] = useState<Record<string, string[]>>({});
  const [sort, setSort] = useState<SortState | null>(defaultSort ?? null);

  const shown = useMemo(() => visibleRows(rows, columns, search, filters, sort), [rows, columns, search, filters, sort]);

  const format = (column: DataColumn<T>, value: unknown, complete?: boolean | null) =>
    formatMetric(column.kind ?? "text", value, { locale, currency: column.currency ?? undefined, complete });
  /** A value the column says what its absence means of, else null. */
  const missingCell = (column: DataColumn<T>, value: unknown, complete?: boolean | null) =>
    column.missing && complete !== false && (value === null || value === undefined) ? (
      <Tooltip title={column.missing.tooltip}>
        <Typography.Text type="secondary" className="missing-value">
          {column.missing.text}
        </Typography.Text>
      </Tooltip>
    ) : null;

  const shownColumns = columns.filter((c) => !c.hidden);
  // the first column stays in view when the table scrolls sideways
  const fixFirst = !shownColumns.some((c) => c.fixed === "left");
  const antColumns: TableColumnsType<T> = shownColumns.map((column, index) => {
    const numeric = isNumeric(column.kind);
    const distinct = column.filterable
      ? Array.from(new Set(rows.map((r) => String(column.value(r) ?? "")))).sort()
      : [];
    return {
      key: column.key,
      dataIndex: column.key,
      title: column.help ? (
        <Tooltip title={column.help}>
          <span>
            {column.title} <QuestionCircleOutlined style={{ color: "#adb5bd", fontSize: 12 }} />
          </span>
        </Tooltip>
      ) : (
        column.title
      ),
      align: numeric ? "right" : "left",
      width: column.width,
      fixed: column.fixed ?? (fixFirst && index === 0 ? "left" : undefined),
      sorter: column.sortable === false ? undefined : true,
      sortOrder: sort?.key === column.key ? sort.order : null,
      sortDirections: numeric ? (["descend", "ascend"] as SortOrder[]) : (["ascend", "descend"] as SortOrder[]),
      filters: column.filterable
        ? distinct.map((v) => ({ text: column.filterLabel ? column.filterLabel(v) : v || MISSING, value: v }))
        : undefined,
      filteredValue: column.filterable ? filters[column.key] ?? null : undefined,
      filterSearch: column.filterable && distinct.length > 8,
      render: (_: unknown, row: T) => {
        if (column.render) return column.render(row);
        const complete = column.complete?.(row);
        const absent = missingCell(column, column.value(row), complete);
        if (absent) return absent;
        const text = format(column, column.value(row), complete);
        if (text === INCOMPLETE) {
          return (
            <Tooltip title="The cohort has not reached this day yet">
              <Typography.Text type="secondary" italic>
                {INCOMPLETE}
              </Typography.Text>
            </Tooltip>
          );
        }
        const cell = numeric ? <span className="num">{text}</span> : text;
        const note = column.note?.(row);
        return note ? (
          <>
            {cell}
            <CellNote numeric={numeric}>{note}</CellNote>
          </>
        ) : (
          cell
        );
      },
    };
  });

  const onChange: TableProps<T>["onChange"] = (_pagination, tableFilters, sorter) => {
    const next: Record<string, string[]> = {};
    for (const [key, values] of Object.entries(tableFilters)) {
      if (values?.length) next[key] = values.map(String);
    }
    setFilters(next);
    const s = Array.isArray(sorter) ? sorter[0] : sorter;
    if (s?.order && s.columnKey) setSort({ key: String(s.columnKey), order: s.order });
    else setSort(null);
  };

  const exportCsv = () => downloadCsv(csvName, toCsv(csvColumns(columns), shown));
  const { box, overflows } = useOverflows([shown.length, shownColumns.length]);

  const summary =
    totals && shown.length > 0
      ? () => (
          <Table.Summary fixed>
            <Table.Summary.Row className="table-totals">
              {shownColumns.map((column, i) => (
                <Table.Summary.Cell key={column.key} index={i} align={isNumeric(column.kind) ? "right" : "left"}>
                  {i === 0 ? (
                    <strong>{totalsLabel}</strong>
                  ) : column.key in totals && isNumeric(column.kind) ? (
                    <>
                      {missingCell(column, totals[column.key]) ?? <strong className="num">{format(column, totals[column.key])}</strong>}
                      {/* the totals carry the rows' fields, so a row's note reads them alike */}
                      <CellNote numeric>{column.note?.(totals as unknown as T)}</CellNote>
                    </>
                  ) : null}
                </Table.Summary.Cell>
              ))}
            </Table.Summary.Row>
          </Table.Summary>
        )
      : undefined;

  return (
    <div className="data-table" ref={box}>
      <div className="data-table-toolbar">
        <div className="data-table-title">{title}</div>
        <Space wrap>
          {overflows && (
            <Typography.Text type="secondary" className="data-table-scroll-hint" data-testid="scroll-hint">
              {shownColumns.length} columns · scroll sideways for more <ArrowRightOutlined />
            </Typography.Text>
          )}
          {extra}
          <Input
            allowClear
            prefix={<SearchOutlined style={{ color: "#adb5bd" }} />}
            placeholder={searchPlaceholder}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            style={{ width: 220 }}
            aria-label="Search the table"
          />
          <Button icon={<DownloadOutlined />} onClick={exportCsv} disabled={!shown.length}>
            Export CSV
          </Button>
        </Space>
      </div>
      <Table<T>
        size={size}
        rowKey={rowKey}
        columns={antColumns}
        dataSource={shown}
        loading={loading}
        onChange={onChange}
        // a header's own "?" tooltip explains the column; antd's "Click to sort" would cover it
        showSorterTooltip={false}
        summary={summary}
        expandable={expandable ? { fixed: "left", ...expandable } : undefined}
        scroll={{ x: "max-content" }}
        pagination={
          shown.length > pageSize
            ? { defaultPageSize: pageSize, showSizeChanger: true, pageSizeOptions: [25, 50, 100, 250], size: "small" }
            : false
        }
        locale={{ emptyText: emptyText ?? (search || Object.keys(filters).length ? "No rows match the filters." : "No data") }}
        onRow={
          onRowClick
            ? (row) => ({
                onClick: () => onRowClick(row),
                style: { cursor: "pointer" },
                title: rowTitle,
              })
            : undefined
        }
      />
    </div>
  );
}
