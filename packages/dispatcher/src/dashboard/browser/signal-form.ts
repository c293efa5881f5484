/**
 * The form on a task that waits for a signal: a JSON textarea and Send, posting to
 * `/api/runs/:id/tasks/:task/signal` like Cancel posts (same origin, the token's cookie). A failure
 * stays in the form with its code (INVALID_SIGNAL, SIGNAL_NOT_ACCEPTED…), so the text can be fixed.
 * The run page re-renders on every event, possibly while a signal is on its way: the draft, the
 * last error and whether a send is in flight live in the page's scope, and an answer is written to
 * the form that is on the page when it comes, not to the one that sent it.
 */
import { describeError, postJson } from "./api.js";
import { h } from "./dom.js";
import type { SignalBody } from "./wire.js";

export interface SignalFormScope {
  executionId: string;
  /** Text typed into each task's form, and the last error it got, by task id. */
  drafts: Map<string, string>;
  signalErrors: Map<string, string>;
  sending: Set<string>;
  /** Called after a signal was accepted (delivered, or a no-op for a repeated key). */
  onSignalSent: (taskId: string, body: SignalBody) => void;
}

export function signalForm(taskId: string, scope: SignalFormScope): HTMLDivElement {
  const text = h("textarea", {
    class: "signal-data mono",
    rows: 3,
    spellcheck: "false",
    "aria-label": "Signal payload (JSON)",
    placeholder: '{"approved": true}',
  });
  text.value = scope.drafts.get(taskId) ?? "";
  text.addEventListener("input", () => scope.drafts.set(taskId, text.value));
  const problem = h("div", { class: "signal-error" }, scope.signalErrors.get(taskId) ?? "");
  const send = h("button", { class: "primary signal-send", disabled: scope.sending.has(taskId) }, "Send");
  const form = h(
    "div",
    { class: "signal-form", "data-task-id": taskId },
    h("label", null, "Send a signal (JSON payload)"),
    text,
    h("div", { class: "signal-actions" }, send, problem),
  );
  /** The form drawn for this task now: this one, or the one a re-render put in its place. */
  const current = () =>
    form.isConnected
      ? form
      : (document.querySelector('.signal-form[data-task-id="' + CSS.escape(taskId) + '"]') ?? form);
  const fail = (message: string) => {
    scope.signalErrors.set(taskId, message);
    const live = current();
    const box = live.querySelector(".signal-error");
    if (box) box.textContent = message;
    const button = live.querySelector("button");
    if (button) button.disabled = false;
  };

  send.addEventListener("click", () => {
    let payload: unknown;
    try {
      payload = JSON.parse(text.value);
    } catch (e) {
      // Caught here, so a typo never reaches the server (nor the task).
      fail("Not valid JSON: " + (e instanceof Error ? e.message : String(e)));
      return;
    }
    send.disabled = true;
    scope.sending.add(taskId);
    const path =
      "/api/runs/" + encodeURIComponent(scope.executionId) + "/tasks/" + encodeURIComponent(taskId) + "/signal";
    postJson<SignalBody>(path, { payload }).then(
      (body) => {
        scope.sending.delete(taskId);
        scope.drafts.delete(taskId);
        scope.signalErrors.delete(taskId);
        scope.onSignalSent(taskId, body);
      },
      (e: unknown) => {
        scope.sending.delete(taskId);
        fail(describeError(e));
      },
    );
  });

  return form;
}
