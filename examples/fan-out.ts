/**
 * Fan-out / fan-in: one task splits the work, N tasks run in parallel (up to the executor's
 * concurrency), one task joins their outputs. Run with `npm run fan-out -w examples`.
 */
import { createExecutor, task, workflow } from "cloacina";

const SHARDS = 8;

const split = task({ id: "fan.split" }, (ctx: { words: string[] }) => ({
  shards: Array.from({ length: SHARDS }, (_, i) => ctx.words.filter((_, w) => w % SHARDS === i)),
}));

/** Each worker writes its own key, so the join sees every shard's result side by side. */
type ShardCount = Record<`letters${number}`, number>;

const workers = Array.from({ length: SHARDS }, (_, i) =>
  task({ id: `fan.count-${i}`, dependsOn: [split] }, async (ctx, run): Promise<ShardCount> => {
    await new Promise((resolve) => setTimeout(resolve, 20)); // pretend to do I/O
    run.signal.throwIfAborted();
    const letters = (ctx.shards[i] ?? []).reduce((sum, word) => sum + word.length, 0);
    return { [`letters${i}`]: letters };
  }),
);

// ctx is typed from the workers: `letters${number}` keys (possibly absent, to the types) and the split's shards.
const join = task({ id: "fan.join", dependsOn: workers }, (ctx) => ({
  totalLetters: workers.reduce((sum, _w, i) => sum + (ctx[`letters${i}`] ?? 0), 0),
}));

const fanOut = workflow({ name: "fan-out", tasks: [split, ...workers, join] });

const executor = await createExecutor(process.env.CLOACINA_DATABASE_URL ?? "sqlite://./cloacina.db");
try {
  const words = "the quick brown fox jumps over the lazy dog while cloacina keeps every step durable".split(" ");
  const started = performance.now();
  const result = await executor.execute(fanOut, { words });
  const ms = (performance.now() - started).toFixed(0);
  console.log(`run ${result.executionId}: ${result.status} in ${ms} ms (${SHARDS} shards of ~20 ms ran in parallel)`);
  console.log(`total letters: ${String(result.finalContext.totalLetters)}`);
  if (result.status !== "Completed") process.exitCode = 1;
} finally {
  await executor.close();
}
