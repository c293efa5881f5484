/**
 * Child workflows: a parent run starts one child run per order (validate → price → ship), waits
 * for all of them without holding a worker, then starts a single child that writes the day's
 * report. Each child is a run of its own, linked to its parent both ways. Run with
 * `npm run child-workflow -w examples`.
 */
import { childWorkflow, createExecutor, task, workflow } from "cloacina";

// A type alias, not an interface: a task's context must be indexable by string keys.
type Order = {
  orderId: string;
  lines: { sku: string; quantity: number }[];
};

const PRICES = new Map([
  ["kettle", 30],
  ["mug", 8],
  ["teapot", 45],
]);

// The child: one order, three tasks.
const validate = task({ id: "order.validate" }, (ctx: Order) => {
  const unknown = ctx.lines.find((line) => !PRICES.has(line.sku));
  if (unknown) throw new Error(`${ctx.orderId}: no such product ${unknown.sku}`);
  return { validated: true };
});
const price = task({ id: "order.price", dependsOn: [validate] }, (ctx) => ({
  amount: ctx.lines.reduce((sum, line) => sum + (PRICES.get(line.sku) ?? 0) * line.quantity, 0),
}));
const ship = task({ id: "order.ship", dependsOn: [price] }, (ctx) => ({ tracking: `TRACK-${ctx.orderId}` }));
const processOrder = workflow({ name: "process-order", tasks: [validate, price, ship] });

// A second child, started once: the day's report from every order's amount.
const summarize = task({ id: "report.summarize" }, (ctx: { amounts: number[] }) => ({
  revenue: ctx.amounts.reduce((sum, amount) => sum + amount, 0),
}));
const dailyReport = workflow({ name: "daily-report", tasks: [summarize] });

// The parent: the orders come from a task, so their number is known only at run time.
const loadOrders = task({ id: "orders.load" }, (): { orders: Order[] } => ({
  orders: [
    { orderId: "A-1", lines: [{ sku: "kettle", quantity: 1 }] },
    { orderId: "A-2", lines: [{ sku: "mug", quantity: 4 }] },
    {
      orderId: "A-3",
      lines: [
        { sku: "teapot", quantity: 1 },
        { sku: "mug", quantity: 2 },
      ],
    },
  ],
}));
// Each element (an Order) is the child's input as it is: no `input` needed.
const processAll = childWorkflow({
  id: "orders.process",
  dependsOn: [loadOrders],
  workflow: processOrder,
  over: "orders",
  into: "processed",
  maxParallel: 2,
});
const report = childWorkflow({
  id: "orders.report",
  dependsOn: [processAll],
  workflow: dailyReport,
  input: (ctx) => ({ amounts: ctx.processed.map((order) => order.amount) }),
  into: "report",
});
const orders = workflow({ name: "orders", tasks: [loadOrders, processAll, report] });

// One slot is enough: a task waiting for its children holds none.
const executor = await createExecutor(process.env.CLOACINA_DATABASE_URL ?? "sqlite://./cloacina.db", {
  concurrency: 1,
});
try {
  const result = await executor.execute(orders, {});
  console.log(`run ${result.executionId}: ${result.status}`);
  if (result.status !== "Completed") {
    process.exitCode = 1;
  } else {
    for (const order of result.finalContext.processed) {
      console.log(`  ${order.orderId}: ${order.amount} (${order.tracking})`);
    }
    console.log(`revenue: ${result.finalContext.report.revenue}`);
    // The links, both ways: the parent's tasks name their child runs, and each child its parent.
    const detail = await executor.inspect(result.executionId);
    const { runs } = await executor.listRuns({ parent: result.executionId });
    const described = new Map(runs.map((run) => [run.runId, `${run.workflowName}, ${run.status}`]));
    console.log(`${runs.length} child runs of ${result.executionId}:`);
    for (const t of detail.tasks) {
      const links = t.instances
        ? t.instances.list.map((instance) => ({ from: `${t.id}[${instance.index}]`, child: instance.childRunId }))
        : [{ from: t.id, child: t.childRunId }];
      for (const { from, child } of links) {
        if (child !== undefined) console.log(`  ${from} → ${child} (${described.get(child) ?? "not listed"})`);
      }
    }
    const firstChild = detail.tasks.find((t) => t.id === processAll.id)?.instances?.list[0]?.childRunId;
    const parent = firstChild === undefined ? undefined : (await executor.inspect(firstChild)).parent;
    if (parent) console.log(`${firstChild}'s parent: ${parent.taskId}[${parent.instance}] of ${parent.executionId}`);
  }
} finally {
  await executor.close();
}
