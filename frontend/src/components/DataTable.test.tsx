import { fireEvent, screen, within } from "@testing-library/react";
import { DataTable, visibleRows, type DataColumn } from "./DataTable";
import { renderApp, user } from "../test/utils";
import { TrustNote } from "./TrustNote";
import * as csv from "../lib/csv";

interface Row {
  id: string;
  name: string;
  platform: string;
  spend: number | null;
  revenue_d7: number;
  d7_complete: boolean;
}

const ROWS: Row[] = [
  { id: "a", name: "Brand search", platform: "google_ads", spend: 500, revenue_d7: 80, d7_complete: true },
  { id: "b", name: "Prospecting, EU", platform: "meta", spend: null, revenue_d7: 10, d7_complete: false },
  { id: "c", name: "Retargeting", platform: "meta", spend: 1200.5, revenue_d7: 300, d7_complete: true },
  { id: "d", name: "App installs", platform: "apple_search_ads", spend: 40, revenue_d7: 5, d7_complete: true },
];

const COLUMNS: DataColumn<Row>[] = [
  { key: "name", title: "Campaign", value: (r) => r.name },
  { key: "platform", title: "Platform", value: (r) => r.platform, filterable: true },
  { key: "spend", title: "Spend", kind: "money", currency: "USD", value: (r) => r.spend },
  { key: "revenue_d7", title: "Revenue D7", kind: "money", currency: "USD", value: (r) => r.revenue_d7, complete: (r) => r.d7_complete },
];

function names() {
  const body = document.querySelector(".ant-table-tbody")!;
  return within(body as HTMLElement)
    .getAllByRole("row")
    .filter((r) => !r.classList.contains("ant-table-measure-row"))
    .map((r) => r.querySelector("td")?.textContent);
}

async function clickHeader(title: string) {
  const th = Array.from(document.querySelectorAll("thead th")).find((el) => el.textContent === title)!;
  await user.click(th);
}

function setup() {
  return renderApp(<DataTable<Row> rows={ROWS} columns={COLUMNS} rowKey={(r) => r.id} csvName="test.csv" />);
}

describe("visibleRows", () => {
  it("sorts numbers with missing values last in both directions", () => {
    const asc = visibleRows(ROWS, COLUMNS, "", {}, { key: "spend", order: "ascend" }).map((r) => r.id);
    const desc = visibleRows(ROWS, COLUMNS, "", {}, { key: "spend", order: "descend" }).map((r) => r.id);
    expect(asc).toEqual(["d", "a", "c", "b"]);
    expect(desc).toEqual(["c", "a", "d", "b"]);
  });

  it("sorts incomplete values with the missing ones", () => {
    const desc = visibleRows(ROWS, COLUMNS, "", {}, { key: "revenue_d7", order: "descend" }).map((r) => r.id);
    expect(desc).toEqual(["c", "a", "d", "b"]);
  });

  it("filters by search text and by column values", () => {
    expect(visibleRows(ROWS, COLUMNS, "RETARG", {}, null).map((r) => r.id)).toEqual(["c"]);
    expect(visibleRows(ROWS, COLUMNS, "", { platform: ["meta"] }, null).map((r) => r.id)).toEqual(["b", "c"]);
  });
});

describe("DataTable", () => {
  it("formats cells and shows not-final values as incomplete", () => {
    setup();
    expect(screen.getByText("$1,200.50")).toBeInTheDocument();
    expect(screen.getByText("incomplete")).toBeInTheDocument();
    expect(screen.getAllByText("—").length).toBeGreaterThan(0);
  });

  it("sorts when a header is clicked", async () => {
    setup();
    expect(names()).toEqual(["Brand search", "Prospecting, EU", "Retargeting", "App installs"]);
    await clickHeader("Spend");
    expect(names()).toEqual(["Retargeting", "Brand search", "App installs", "Prospecting, EU"]);
    await clickHeader("Spend");
    expect(names()).toEqual(["App installs", "Brand search", "Retargeting", "Prospecting, EU"]);
  });

  it("filters with the search box", async () => {
    setup();
    await user.type(screen.getByLabelText("Search the table"), "brand");
    expect(names()).toEqual(["Brand search"]);
  });

  it("puts a figure's note under it in a narrow note box on the figure's side, in the rows and the totals", () => {
    // a long note (an early prediction's horizon, source and error) wraps in its box
    // (styles.css .cell-note) instead of widening the column and pushing the figure out of view
    const long = "30d · early signals · typical error ±32% (median, backtested at D1)";
    const noted: DataColumn<Row>[] = [
      ...COLUMNS.slice(0, 2),
      { ...COLUMNS[2], note: (r) => (r.spend == null ? null : <TrustNote text={long} />) },
    ];
    renderApp(<DataTable<Row> rows={ROWS} columns={noted} rowKey={(r) => r.id} csvName="t.csv" totals={{ spend: 1740.5 }} />);
    const notes = Array.from(document.querySelectorAll(".trust-note")) as HTMLElement[];
    expect(notes).toHaveLength(4); // three rows with spend, and the totals
    for (const note of notes) {
      expect(note.closest(".cell-note.cell-note-end")).not.toBeNull();
      expect(note.style.whiteSpace).toBe(""); // no inline nowrap: the box decides
      // under the figure, in the same cell
      expect(note.closest("td")?.querySelector(".num")).not.toBeNull();
    }
    expect(document.querySelector(".table-totals .cell-note .trust-note")?.textContent).toBe(long);
  });

  it("exports the rows shown, raw, with incomplete values left empty", async () => {
    const download = vi.spyOn(csv, "downloadCsv").mockImplementation(() => {});
    setup();
    await user.type(screen.getByLabelText("Search the table"), "ing");
    fireEvent.click(screen.getByRole("button", { name: /Export CSV/ }));
    expect(download).toHaveBeenCalledTimes(1);
    const [filename, text] = download.mock.calls[0];
    expect(filename).toBe("test.csv");
    expect(text).toBe(
      "Campaign,Platform,Spend (USD),Revenue D7 (USD)\r\n" +
        '"Prospecting, EU",meta,,\r\n' +
        "Retargeting,meta,1200.5,300\r\n",
    );
    download.mockRestore();
  });
});
