/**
 * A task's card on a run page: status, what it waits for (with the signal form when that is a
 * signal), attempts, error, failed attempts, its instances (a mapped task) or its child run (a
 * child workflow task), output, and its input context, loaded when opened.
 */
import { api, messageOf } from "./api.js";
import { append, h } from "./dom.js";
import { errorBox } from "./error-box.js";
import { fmtDuration, fmtTime } from "./format.js";
import { instancesSection } from "./instances.js";
import { type SignalFormScope, signalForm } from "./signal-form.js";
import { pill } from "./status.js";
import { renderValue, span, valueBox } from "./value.js";
import { waitingText } from "./waiting.js";
import type { DisplayValue, InstancesView, TaskContextBody, TaskView } from "./wire.js";

/** What a card needs from its run page; `open`, `contexts` and the signal drafts survive re-renders. */
export interface TaskCardScope extends SignalFormScope {
  executionId: string;
  selected: string | null;
  /** Open <details> keys; "!<key>" marks one open by default that the user closed. */
  open: Set<string>;
  /** Input contexts already loaded, by task id. */
  contexts: Map<string, DisplayValue>;
}

export function taskCard(t: TaskView, scope: TaskCardScope): HTMLDivElement {
  const facts = [
    h("span", null, "attempt " + t.attempts + " / " + t.maxAttempts),
    t.recoveries ? h("span", null, t.recoveries + " recoveries") : null,
    t.startedAt ? h("span", { title: "started " + fmtTime(t.startedAt) }, "started " + fmtTime(t.startedAt)) : null,
    t.durationMs !== undefined ? h("span", null, fmtDuration(t.durationMs)) : null,
  ];
  const card = h(
    "div",
    {
      class: "task s-" + t.status + (scope.selected === t.id ? " selected" : ""),
      id: "task-" + t.id,
      "data-task-id": t.id,
    },
    h(
      "div",
      { class: "task-head" },
      h("strong", { class: "mono" }, t.id),
      pill(t.status),
      h("div", { class: "facts" }, facts),
    ),
    t.dependsOn.length ? h("div", { class: "deps" }, "after " + t.dependsOn.join(", ")) : null,
    t.waiting ? h("div", { class: "waiting" }, waitingText(t.waiting)) : null,
    t.childRunId
      ? h(
          "div",
          { class: "child-run" },
          "Child run ",
          h("a", { class: "child-link mono", href: "#/runs/" + encodeURIComponent(t.childRunId) }, t.childRunId),
        )
      : null,
    t.instances ? instances(t.id, t.instances, scope) : null,
    // Only a task that waits for a signal now gets the form (one sent earlier is kept, but an
    // operator answers what the run is waiting on).
    t.status === "Waiting" && t.waiting?.for === "signal" ? signalForm(t.id, scope) : null,
    t.error ? errorBox(t.error) : null,
  );
  if (t.failedAttempts.length) {
    append(card, [
      details(scope, t.id + ":attempts", "Failed attempts (" + t.failedAttempts.length + ")", () =>
        h(
          "ul",
          { class: "attempts" },
          t.failedAttempts.map((a) =>
            h(
              "li",
              null,
              h("strong", null, "Attempt " + a.attempt),
              " " + a.status.toLowerCase() + " at " + fmtTime(a.finishedAt) + ": ",
              a.error.name + ": " + a.error.message,
              a.error.stack ? h("pre", { class: "stack" }, a.error.stack) : null,
            ),
          ),
        ),
      ),
    ]);
  }
  const output = t.output;
  if (output !== undefined) append(card, [details(scope, t.id + ":output", "Output", () => valueBox(output), true)]);
  append(card, [details(scope, t.id + ":input", "Input context", () => inputContext(scope, t.id))]);
  return card;
}

/** The instances section; "Show more" expands it in place, and it stays expanded across re-renders. */
function instances(taskId: string, v: InstancesView, scope: TaskCardScope): HTMLDivElement {
  const key = taskId + ":instances";
  const build = (): HTMLDivElement => {
    const el = instancesSection(scope.executionId, taskId, v, scope.open.has(key), () => {
      scope.open.add(key);
      el.replaceWith(build());
    });
    return el;
  };
  return build();
}

/** A <details> whose open state survives re-renders; its body is built when opened. */
function details(
  scope: TaskCardScope,
  key: string,
  title: string,
  build: () => HTMLElement,
  openByDefault = false,
): HTMLDetailsElement {
  const isOpen = scope.open.has(key) || (openByDefault && !scope.open.has("!" + key));
  const el = h("details", { "data-key": key, open: isOpen }, h("summary", null, title));
  if (isOpen) el.appendChild(build());
  el.addEventListener("toggle", () => {
    if (el.open) {
      scope.open.add(key);
      scope.open.delete("!" + key);
      if (el.children.length === 1) el.appendChild(build());
    } else {
      scope.open.delete(key);
      scope.open.add("!" + key);
    }
  });
  return el;
}

function inputContext(scope: TaskCardScope, taskId: string): HTMLDivElement {
  const box = h("div", { class: "value" }, span("v-null", "loading…"));
  const fill = (v: DisplayValue) => box.replaceChildren(renderValue(v, 0));
  const cached = scope.contexts.get(taskId);
  if (cached !== undefined) {
    fill(cached);
    return box;
  }
  const path = "/api/runs/" + encodeURIComponent(scope.executionId) + "/tasks/" + encodeURIComponent(taskId);
  api<TaskContextBody>(path).then(
    (r) => {
      scope.contexts.set(taskId, r.input);
      fill(r.input);
    },
    (e: unknown) => box.replaceChildren(span("v-null", "Could not load: " + messageOf(e))),
  );
  return box;
}
