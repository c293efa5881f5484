/**
 * The runs list (`#/`, `#/?status=…&search=…&parent=…`): status filter, search and parent (a
 * run's child runs) kept in the URL, "Load more" pages, reloaded when a run starts or ends. A
 * child run is marked with a link to its parent.
 */
import { api, messageOf } from "./api.js";
import { debounce } from "./debounce.js";
import { h } from "./dom.js";
import { ago, elapsed, fmtDuration, fmtTime } from "./format.js";
import { follow } from "./live.js";
import { main } from "./page.js";
import { pill, RUN_STATUSES } from "./status.js";
import type { RunSummary, RunsPage } from "./wire.js";

const COLUMNS = ["Status", "Workflow", "Execution id", "Created", "Duration"];

/** The query after `?` in the hash (`#/?status=Failed`). */
function hashQuery(): URLSearchParams {
  const i = location.hash.indexOf("?");
  return new URLSearchParams(i >= 0 ? location.hash.slice(i + 1) : "");
}

/** Draws the runs list into `main`; returns the function that stops it. */
export function runsView(): () => void {
  const params = hashQuery();
  const state = {
    status: params.get("status") || "",
    search: params.get("search") || "",
    parent: params.get("parent") || "",
    next: null as string | null,
    runs: [] as RunSummary[],
  };
  const statusSelect = h(
    "select",
    { "aria-label": "Status", id: "status-filter" },
    h("option", { value: "" }, "All statuses"),
    RUN_STATUSES.map((st) => h("option", { value: st }, st)),
  );
  statusSelect.value = state.status;
  const search = h("input", {
    type: "search",
    id: "search",
    placeholder: "Search execution id or workflow…",
    value: state.search,
  });
  const tbody = h("tbody");
  const note = h("span", { class: "muted" });
  const moreBtn = h("button", { onclick: () => void load(true) }, "Load more");
  const table = h(
    "table",
    { class: "runs" },
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        COLUMNS.map((t) => h("th", null, t)),
      ),
    ),
    tbody,
  );
  const parentFilter = state.parent
    ? h(
        "div",
        { class: "flash", id: "parent-filter" },
        "Child runs of ",
        h("a", { class: "mono", href: "#/runs/" + encodeURIComponent(state.parent) }, state.parent),
        " · ",
        h("a", { href: "#/" }, "all runs"),
      )
    : null;
  main.replaceChildren(
    h("div", { class: "toolbar" }, h("h1", null, "Runs"), statusSelect, search),
    ...(parentFilter ? [parentFilter] : []),
    h("div", { class: "card" }, table, h("div", { class: "more" }, moreBtn, note)),
  );

  // Only the latest request draws, and none after the user left the page.
  let seq = 0;
  let alive = true;
  async function load(more: boolean): Promise<void> {
    const mine = ++seq;
    const q = new URLSearchParams();
    if (state.status) q.set("status", state.status);
    if (state.search) q.set("search", state.search);
    if (state.parent) q.set("parent", state.parent);
    q.set("limit", more ? "50" : String(Math.max(50, state.runs.length)));
    if (more && state.next) q.set("cursor", state.next);
    let page: RunsPage;
    try {
      page = await api<RunsPage>("/api/runs?" + q.toString());
    } catch (e) {
      if (mine === seq) {
        tbody.replaceChildren(emptyRow("Could not load runs: " + messageOf(e)));
      }
      return;
    }
    if (mine !== seq || !alive) return;
    state.runs = more ? state.runs.concat(page.runs) : page.runs;
    state.next = page.next;
    render(page.partial);
  }

  function render(partial: boolean): void {
    if (state.runs.length === 0) tbody.replaceChildren(emptyRow("No runs match."));
    else tbody.replaceChildren(...state.runs.map(runRow));
    moreBtn.hidden = !state.next;
    note.textContent = partial ? "Searched the most recent runs only; load more to search further back." : "";
  }

  const syncHash = () => {
    const q = new URLSearchParams();
    if (state.status) q.set("status", state.status);
    if (state.search) q.set("search", state.search);
    if (state.parent) q.set("parent", state.parent);
    const target = "#/" + (q.toString() ? "?" + q.toString() : "");
    if (location.hash !== target) history.replaceState(null, "", target);
  };
  statusSelect.addEventListener("change", () => {
    state.status = statusSelect.value;
    syncHash();
    void load(false);
  });
  const searchChanged = debounce(() => {
    state.search = search.value.trim();
    syncHash();
    void load(false);
  }, 250);
  search.addEventListener("input", searchChanged);
  void load(false);
  const reload = debounce(() => load(false), 400);
  const stop = follow(
    "",
    (e) => {
      if (e && e.type && e.type.startsWith("run.")) reload();
    },
    () => load(false),
  );
  return () => {
    alive = false;
    stop();
  };
}

function runRow(r: RunSummary): HTMLTableRowElement {
  const href = "#/runs/" + encodeURIComponent(r.executionId);
  return h(
    "tr",
    {
      class: "row",
      "data-execution-id": r.executionId,
      "data-status": r.status,
      onclick: () => {
        location.hash = href;
      },
    },
    h("td", null, pill(r.status)),
    h("td", null, h("a", { href }, r.workflow), r.parentRunId ? parentMark(r.parentRunId) : null),
    h("td", { class: "mono", title: r.executionId }, r.executionId),
    h("td", { title: fmtTime(r.createdAt) }, ago(r.createdAt)),
    h(
      "td",
      null,
      r.status === "Running" ? h("span", { class: "muted" }, fmtDuration(elapsed(r)) + "…") : fmtDuration(r.durationMs),
    ),
  );
}

/** "↳ child of 5b1f0c2a", linking to the parent run (a click on it does not open the row's run). */
function parentMark(parentRunId: string): HTMLAnchorElement {
  return h(
    "a",
    {
      class: "parent-mark",
      href: "#/runs/" + encodeURIComponent(parentRunId),
      title: "child run of " + parentRunId,
      onclick: (event: Event) => event.stopPropagation(),
    },
    "↳ child of " + parentRunId.slice(0, 8),
  );
}

function emptyRow(text: string): HTMLTableRowElement {
  return h("tr", null, h("td", { colspan: 5, class: "empty" }, text));
}
