/**
 * Workflows with maps and child runs for the dashboard tests, with unique ids per call (the
 * registry is global). `fanout`: `items` → `square` (a map over `ctx.items`; elements listed in
 * `ctx.fail` throw) → `total`, and `items` → `report` (the child workflow `child` on `{ n: 21 }`).
 * `gated`: `each` maps over `ctx.items`, instance i finishing only once `release(i + 1)` was
 * called, so a test can watch its counts change live.
 */
import { childWorkflow, mapTask, task, workflow } from "cloacina";

export function mapWorkflows(prefix: string) {
  const id = (name: string) => `${prefix}.${name}`;
  const double = task({ id: id("double") }, (ctx: { n: number }) => ({ doubled: ctx.n * 2 }));
  const child = workflow({ name: id("child"), tasks: [double] });

  const items = task({ id: id("items") }, (ctx: { n: number; fail?: number[] }) => ({
    items: Array.from({ length: ctx.n }, (_, i) => i),
    fail: ctx.fail ?? [],
  }));
  const square = mapTask({ id: id("square"), dependsOn: [items], over: "items" }, (item, ctx) => {
    if (ctx.fail.includes(item)) throw new Error(`item ${item} <b>refused</b>`);
    return item * item;
  });
  const total = task({ id: id("total"), dependsOn: [square] }, (ctx: Record<string, unknown>) => ({
    total: (ctx[id("square")] as number[]).reduce((a, b) => a + b, 0),
  }));
  const report = childWorkflow({ id: id("report"), dependsOn: [items], workflow: child, input: () => ({ n: 21 }) });
  const fanout = workflow({ name: id("fanout"), tasks: [items, square, total, report] });

  let released = 0;
  const each = mapTask({ id: id("each"), over: "items" }, async (item) => {
    while (released <= Number(item)) await new Promise((resolve) => setTimeout(resolve, 10));
    return item;
  });
  const gated = workflow({ name: id("gated"), tasks: [each] });

  return { child, fanout, gated, release: (n: number) => (released = n), id };
}
