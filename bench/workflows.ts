import { type Context, type TaskFunction, type TaskRef, task, type Workflow, workflow } from "@cloacina/engine";

/** A task that does nothing, so every microsecond measured around it is the engine's. */
const noop: TaskFunction<Context, Context> = async () => ({});

export interface Chain {
  workflow: Workflow;
  /** The task functions in chain order, to call directly for the no-engine baseline. */
  functions: TaskFunction<Context, Context>[];
}

/** `prefix.a1 → prefix.a2 → … → prefix.a<length>`, every task a no-op. */
export function sequentialChain(prefix: string, length: number): Chain {
  const refs: TaskRef<Context, Context>[] = [];
  for (let i = 1; i <= length; i++) {
    refs.push(task({ id: `${prefix}.a${i}`, dependsOn: i === 1 ? [] : [`${prefix}.a${i - 1}`] }, noop));
  }
  return { workflow: workflow({ name: prefix, tasks: refs }), functions: refs.map((ref) => ref.fn) };
}

/** One no-op task: a run is nothing but the engine's bookkeeping. */
export function singleTask(prefix: string): Workflow {
  return workflow({ name: prefix, tasks: [task({ id: `${prefix}.only` }, noop)] });
}

/** `prefix.root → width leaves → prefix.join`, all no-ops. */
export function fanOutFanIn(prefix: string, width: number): Workflow {
  const root = task({ id: `${prefix}.root` }, noop);
  const leaves = Array.from({ length: width }, (_, i) =>
    task({ id: `${prefix}.leaf${i}`, dependsOn: [root.id] }, noop),
  );
  const join = task({ id: `${prefix}.join`, dependsOn: leaves.map((leaf) => leaf.id) }, noop);
  return workflow({ name: prefix, tasks: [root, ...leaves, join] });
}

/** A small, realistic run for the heap test: three steps, each adding a little to the context. */
export function smallPipeline(prefix: string): Workflow {
  const fetch = task({ id: `${prefix}.fetch` }, async () => ({ rows: [1, 2, 3] }));
  const sum = task({ id: `${prefix}.sum`, dependsOn: [fetch.id] }, async (ctx: { rows: number[] }) => ({
    total: ctx.rows.reduce((a, b) => a + b, 0),
  }));
  const store = task({ id: `${prefix}.store`, dependsOn: [sum.id] }, async () => ({ stored: true }));
  return workflow({ name: prefix, tasks: [fetch, sum, store] });
}
