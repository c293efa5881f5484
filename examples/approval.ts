/**
 * Waiting without a worker: an order waits for a person's approval (a signal), then a cooldown
 * (a durable sleep), while a polling task asks to be called again until its export is ready.
 * None of them holds a worker while it waits. Run with `npm run approval -w examples`.
 */
import { createExecutor, sleep, task, waitForSignal, workflow } from "cloacina";
import { z } from "zod";

const order = task({ id: "approval.order" }, (ctx: { item: string }) => ({ orderId: `order-${ctx.item}` }));
const approval = waitForSignal({
  id: "approval",
  dependsOn: [order],
  schema: z.object({ by: z.string() }),
  timeout: "2d",
});
const cooldown = sleep({ id: "approval.cooldown", dependsOn: [approval], for: "200ms" });
const ship = task({ id: "approval.ship", dependsOn: [cooldown] }, (ctx) => ({
  shipped: `${ctx.orderId} approved by ${ctx.approval.by}`,
}));
// A sensor: called again every 50 ms (its slot released meanwhile) until the "export" is ready.
const exportReady = task({ id: "approval.export" }, (_ctx, run) =>
  run.calls < 3 ? run.callAgainIn("50ms", { state: { checked: run.calls + 1 } }) : { exportChecks: run.calls },
);

const orders = workflow({ name: "approval", tasks: [order, approval, cooldown, ship, exportReady], timeout: "7d" });

const executor = await createExecutor(process.env.CLOACINA_DATABASE_URL ?? "sqlite://./cloacina.db", {
  concurrency: 1, // waiting tasks hold no slot: one is enough for all of this
});
try {
  const handle = await executor.start(orders, { item: "42" });
  // A person approves once the order is waiting (a signal sent earlier would be kept for it).
  for (;;) {
    const waiting = (await executor.inspect(handle.executionId)).tasks.find((t) => t.id === "approval")?.waiting;
    if (waiting) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  console.log("approval is waiting for a signal");
  await executor.signal(handle.executionId, "approval", { by: "ada" }, { key: "ticket-1" });
  const result = await handle.result();
  console.log(`run ${result.executionId}: ${result.status}`);
  if (result.status === "Completed") {
    console.log(result.finalContext.shipped);
    console.log(`export checked ${result.finalContext.exportChecks} times`);
  } else process.exitCode = 1;
} finally {
  await executor.close();
}
