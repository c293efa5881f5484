/**
 * One run (`#/runs/<id>`, `#/runs/<id>?task=<task>` to select a task): its DAG, tasks and input,
 * Cancel and Retry, a signal form on a task that waits for one, links to its parent run and its
 * child runs. It follows the run's events: each one recolours its node at once (an instance's
 * event updates its mapped task's counts instead) and triggers a refetch, so attempts, errors and
 * outputs appear without reloading; while the stream is down it polls a running run.
 */
import { ApiError, api, describeError, messageOf, post } from "./api.js";
import { debounce } from "./debounce.js";
import { h } from "./dom.js";
import { errorBox } from "./error-box.js";
import { elapsed, fmtDuration, fmtTime } from "./format.js";
import { follow } from "./live.js";
import { main } from "./page.js";
import { applyInstanceStatus } from "./instances.js";
import { drawDag, recolourNode, updateMapNode } from "./run-dag.js";
import { childRunsCard, parentLink } from "./run-links.js";
import { pill, RUN_STATUS_BY_EVENT, TASK_STATUS_BY_EVENT, TASK_STATUSES } from "./status.js";
import { taskCard, type TaskCardScope } from "./task-card.js";
import { valueBox } from "./value.js";
import type { ActionBody, DagLayout, DisplayValue, EventView, RunBody, RunView, SignalBody } from "./wire.js";

interface RunPageState {
  detail: RunView | null;
  layout: DagLayout | null;
  selected: string | null;
  open: Set<string>;
  flash: { bad: boolean; text: string } | null;
  busy: boolean;
  /** The last event seen, to resume after it (after a retry). */
  lastSeq: string | null;
}

/** Most time between refetches while events keep coming (a busy map sends them without pause). */
const REFETCH_MAX_WAIT_MS = 1000;

/** Draws run `id` into `main`, with task `selected` selected; returns the function that stops it. */
export function runView(id: string, selected: string | null = null): () => void {
  const state: RunPageState = {
    detail: null,
    layout: null,
    selected,
    open: new Set(),
    flash: null,
    busy: false,
    lastSeq: null,
  };
  const contexts = new Map<string, DisplayValue>();
  const drafts = new Map<string, string>();
  const signalErrors = new Map<string, string>();
  const sending = new Set<string>();
  main.replaceChildren(h("p", { class: "muted" }, "Loading run…"));
  // Requests still in flight when the user leaves must not draw over the next page.
  let seq = 0;
  let alive = true;

  async function refresh(): Promise<void> {
    const mine = ++seq;
    let body: RunBody;
    try {
      body = await api<RunBody>("/api/runs/" + encodeURIComponent(id));
    } catch (e) {
      if (mine !== seq || !alive) return;
      if (!state.detail) {
        const text =
          e instanceof ApiError && e.code === "RUN_NOT_FOUND"
            ? "No run " + id + "."
            : "Could not load the run: " + messageOf(e);
        main.replaceChildren(
          h(
            "div",
            { class: "card" },
            h("p", null, h("a", { href: "#/" }, "← Runs")),
            h("div", { class: "flash bad" }, text),
          ),
        );
      }
      return;
    }
    if (mine !== seq || !alive) return;
    for (const t of body.run.tasks) contexts.delete(t.id); // outputs may have changed
    const first = !state.detail;
    state.detail = body.run;
    state.layout = body.layout;
    render();
    if (first && state.selected) scrollToTask(state.selected);
  }

  async function act(kind: "cancel" | "retry"): Promise<void> {
    if (state.busy) return;
    state.busy = true;
    render();
    try {
      const r = await post<ActionBody>("/api/runs/" + encodeURIComponent(id) + "/" + kind);
      state.flash = {
        bad: false,
        text: kind === "cancel" ? "Cancel requested (" + r.status + ")." : "Retry started (" + r.status + ").",
      };
      if (kind === "retry") restartFollow();
    } catch (e) {
      state.flash = { bad: true, text: describeError(e) };
    }
    state.busy = false;
    await refresh();
  }

  function onSignalSent(taskId: string, body: SignalBody): void {
    state.flash = {
      bad: false,
      text: body.delivered
        ? "Signal sent to " + taskId + "."
        : "Not sent again: " + taskId + " already has a signal with that key.",
    };
    void refresh();
  }

  function render(): void {
    const run = state.detail;
    const layout = state.layout;
    if (!run || !layout || !alive) return;
    const canCancel = run.status === "Running";
    const canRetry = run.status === "Failed" || run.status === "Cancelled";
    const head = h(
      "div",
      { class: "card" },
      h("p", { class: "back" }, h("a", { href: "#/" }, "← Runs")),
      h(
        "div",
        { class: "run-head" },
        h("h1", null, run.workflow),
        h("span", { id: "run-status" }, pill(run.status)),
        run.cancelRequested && run.status === "Running" ? pill("Cancelled", "cancel requested") : null,
        h(
          "div",
          { class: "actions" },
          canCancel
            ? h(
                "button",
                {
                  class: "danger",
                  id: "cancel",
                  disabled: state.busy || run.cancelRequested,
                  onclick: () => void act("cancel"),
                },
                "Cancel",
              )
            : null,
          canRetry
            ? h(
                "button",
                { class: "primary", id: "retry", disabled: state.busy, onclick: () => void act("retry") },
                "Retry",
              )
            : null,
        ),
      ),
      h(
        "div",
        { class: "meta" },
        metaItem("Execution id", h("span", { class: "mono" }, run.executionId)),
        run.parent ? metaItem("Parent run", parentLink(run.parent)) : null,
        metaItem("Version", h("span", { class: "mono", title: run.workflowVersion }, run.workflowVersion.slice(0, 12))),
        metaItem("Created", fmtTime(run.createdAt)),
        metaItem("Finished", run.finishedAt ? fmtTime(run.finishedAt) : "—"),
        metaItem(
          "Duration",
          run.status === "Running" ? fmtDuration(elapsed(run)) + " so far" : fmtDuration(run.durationMs),
        ),
        metaItem(
          "Tasks",
          run.tasks.filter((t) => t.status === "Completed").length + " / " + run.tasks.length + " completed",
        ),
      ),
      run.error ? errorBox(run.error) : null,
    );
    const flash = state.flash
      ? h("div", { class: "flash" + (state.flash.bad ? " bad" : ""), id: "flash" }, state.flash.text)
      : null;
    const dag = h(
      "div",
      { class: "card" },
      h("h2", null, "Graph"),
      h("div", { class: "dag-wrap" }, drawDag(run, layout, state.selected, select)),
      h(
        "div",
        { class: "legend" },
        TASK_STATUSES.map((st) => h("span", { class: "s-" + st }, st)),
      ),
    );
    const input = h("div", { class: "card" }, h("h2", null, "Run input"), valueBox(run.input));
    const scope: TaskCardScope = {
      executionId: id,
      selected: state.selected,
      open: state.open,
      contexts,
      drafts,
      signalErrors,
      sending,
      onSignalSent,
    };
    const tasks = h(
      "div",
      { class: "card" },
      h("h2", null, "Tasks"),
      run.tasks.map((t) => taskCard(t, scope)),
    );
    const children = childRunsCard(run);
    main.replaceChildren(...[head, flash, dag, tasks, children, input].filter((el) => el !== null));
  }

  function select(taskId: string): void {
    state.selected = taskId;
    render();
    scrollToTask(taskId);
  }

  /** Applies an event at once (node colour or a map's counts, run status), then refetches the detail. */
  const refetch = debounce(refresh, 150, REFETCH_MAX_WAIT_MS);
  function onEvent(e: EventView | null): void {
    if (!e) {
      // The run's stream ended at a final event; a retry since then needs a new one.
      void refresh().then(() => {
        if (state.detail && state.detail.status === "Running") restartFollow();
      });
      return;
    }
    if (e.seq) state.lastSeq = e.seq;
    if (!state.detail || e.executionId !== id) return;
    const taskStatus = TASK_STATUS_BY_EVENT[e.type];
    if (e.taskId && taskStatus && e.instance !== undefined) {
      const instances = state.detail.tasks.find((x) => x.id === e.taskId)?.instances;
      if (instances && applyInstanceStatus(instances, e.instance, taskStatus)) updateMapNode(e.taskId, instances);
    } else if (e.taskId && taskStatus) {
      const taskId = e.taskId;
      const t = state.detail.tasks.find((x) => x.id === taskId);
      if (t) t.status = taskStatus;
      recolourNode(taskId, taskStatus, state.selected === taskId);
    }
    const runStatus = RUN_STATUS_BY_EVENT[e.type];
    if (runStatus) {
      state.detail.status = runStatus;
      const el = document.getElementById("run-status");
      if (el) el.replaceChildren(pill(runStatus));
    }
    refetch();
  }

  let stop = () => {};
  function restartFollow(): void {
    stop();
    if (!alive) return;
    // From the run's first event, or after the last one seen (after a retry).
    const after = state.lastSeq ? "&after=" + encodeURIComponent(state.lastSeq) : "";
    stop = follow("?executionId=" + encodeURIComponent(id) + after, onEvent, () => {
      if (!state.detail || state.detail.status === "Running") void refresh();
    });
  }
  void refresh().then(restartFollow);
  return () => {
    alive = false;
    stop();
  };
}

function scrollToTask(taskId: string): void {
  const card = document.getElementById("task-" + taskId);
  if (card) card.scrollIntoView({ behavior: "smooth", block: "center" });
}

function metaItem(label: string, value: Node | string): HTMLDivElement {
  return h("div", null, h("span", { class: "label" }, label), value);
}
