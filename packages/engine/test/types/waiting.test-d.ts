// Waiting tasks carry types like any task reference: a signal's payload is typed from its schema,
// and what a sleep or a signal wait passes on is what its dependencies provided. Checked by tsc
// (vitest typecheck mode in `npm test`, and `npm run typecheck`).
import { sleep, task, waitForSignal } from "@cloacina/engine";
import { describe, expectTypeOf, test } from "vitest";
import { z } from "zod";

const order = task({ id: "wait.types.order" }, () => ({ orderId: "o-1", amount: 42 }));

describe("a signal wait", () => {
  test("its payload is typed from its schema, under its id, for its dependents", () => {
    const approval = waitForSignal({
      id: "approval",
      dependsOn: [order],
      schema: z.object({ by: z.string(), approved: z.boolean() }),
    });
    task({ id: "wait.types.ship", dependsOn: [approval] }, (ctx) => {
      expectTypeOf(ctx.approval).toEqualTypeOf<{ by: string; approved: boolean }>();
      expectTypeOf(ctx.orderId).toEqualTypeOf<string>();
      // @ts-expect-error: the payload has no "reason"
      void ctx.approval.reason;
    });
  });

  test("without a schema, the payload is unknown", () => {
    const callback = waitForSignal({ id: "callback" });
    task({ id: "wait.types.after-callback", dependsOn: [callback] }, (ctx) => {
      expectTypeOf(ctx.callback).toEqualTypeOf<unknown>();
    });
  });
});

describe("a sleep", () => {
  test("passes on its dependencies' outputs and adds nothing", () => {
    const nap = sleep({ id: "wait.types.nap", dependsOn: [order], for: "15m" });
    task({ id: "wait.types.wake", dependsOn: [nap] }, (ctx) => {
      expectTypeOf(ctx).toEqualTypeOf<{ orderId: string; amount: number }>();
    });
  });

  test("takes for or until, not both", () => {
    // @ts-expect-error: one of for, until
    sleep({ id: "wait.types.both", for: "1m", until: () => new Date() });
  });
});

test("a task asks to be called again with run.callAgainIn, and gets its state back as unknown", () => {
  task({ id: "wait.types.poll" }, (_ctx, run) => {
    expectTypeOf(run.state).toEqualTypeOf<unknown>();
    expectTypeOf(run.calls).toEqualTypeOf<number>();
    return run.calls < 3 ? run.callAgainIn("5m", { state: { page: 2 } }) : { done: true };
  });
});
