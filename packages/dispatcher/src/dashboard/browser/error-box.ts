/** A stored error as the page shows it: name, code and message, the stack, then up to 8 causes. */
import { h } from "./dom.js";
import type { ErrorView } from "./wire.js";

const MAX_CAUSES = 8;

export function errorBox(err: ErrorView | undefined): HTMLDivElement | null {
  if (!err) return null;
  const parts: HTMLElement[] = [h("div", { class: "msg" }, headline(err))];
  if (err.stack) parts.push(h("pre", { class: "stack" }, err.stack));
  let cause = err.cause;
  for (let n = 0; cause && n < MAX_CAUSES; n += 1) {
    parts.push(h("div", { class: "msg cause" }, "Caused by " + headline(cause)));
    if (cause.stack) parts.push(h("pre", { class: "stack" }, cause.stack));
    cause = cause.cause;
  }
  return h("div", { class: "error" }, parts);
}

function headline(err: ErrorView): string {
  return err.name + (err.code ? " [" + err.code + "]" : "") + ": " + err.message;
}
