/** Real executors on temporary SQLite files, and the workflows the dashboard tests run. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createExecutor, type Executor, type RunStatus, sleep, task, waitForSignal, workflow } from "cloacina";
import { z } from "zod";

export interface TempExecutor {
  executor: Executor;
  url: string;
  dispose(): Promise<void>;
}

export async function tempExecutor(): Promise<TempExecutor> {
  const dir = mkdtempSync(path.join(tmpdir(), "cloacina-dashboard-"));
  const url = `sqlite://${dir}/runs.db`;
  const executor = await createExecutor(url, { closeGraceMs: 2000, pollMs: 200 });
  return {
    executor,
    url,
    async dispose() {
      await executor.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Values JSON cannot carry, and markup that must never run in the page. */
export const XSS_SCRIPT = "<script>window.__pwned=1</script>";
export const XSS_IMG = `<img src=x onerror="window.__pwned=1">`;

/**
 * Workflows with unique ids per call (the registry is global): `etl` (extract → transform, load
 * → report, a diamond), `broken` (fails), `slow` (waits on its abort signal until cancelled),
 * `flaky` (fails until `flaky.heal()`), `approve` (its `approval` waits for a signal
 * `{ approved: boolean }`, then `ship` reads it), `gated` (its `approval` waits behind a task that
 * runs until cancelled, so signals arrive before it waits; no schema) and `nap` (sleeps an hour).
 */
export function workflows(prefix: string) {
  const id = (name: string) => `${prefix}.${name}`;
  const extract = task({ id: id("extract") }, async () => ({
    fetchedAt: new Date("2024-05-06T07:08:09.000Z"),
    rows: new Map<string, number>([
      ["a", 1],
      ["b", 2],
    ]),
    tags: new Set(["x", "y"]),
    big: 12345678901234567890n,
    bytes: new Uint8Array([1, 2, 3]),
    missing: undefined,
    html: XSS_SCRIPT,
    img: XSS_IMG,
  }));
  const transform = task({ id: id("transform"), dependsOn: [id("extract")] }, async () => ({ total: 3 }));
  const load = task({ id: id("load"), dependsOn: [id("extract")] }, async () => ({ loaded: true }));
  const report = task({ id: id("report"), dependsOn: [id("transform"), id("load")] }, async () => ({ reported: 1 }));
  const etl = workflow({ name: id("etl"), tasks: [extract, transform, load, report] });

  const prepare = task({ id: id("prepare") }, async () => ({ prepared: true }));
  const explode = task({ id: id("explode"), dependsOn: [id("prepare")] }, async () => {
    throw new Error("disk on fire <b>bold</b>");
  });
  const after = task({ id: id("after"), dependsOn: [id("explode")] }, async () => ({}));
  const broken = workflow({ name: id("broken"), tasks: [prepare, explode, after] });

  const untilAborted = (_ctx: unknown, run: { signal: AbortSignal }) =>
    new Promise<void>((_resolve, reject) => {
      if (run.signal.aborted) return reject(run.signal.reason);
      run.signal.addEventListener("abort", () => reject(run.signal.reason), { once: true });
    });
  const wait = task({ id: id("wait") }, untilAborted);
  const slow = workflow({ name: id("slow"), tasks: [wait] });

  let healed = false;
  const shaky = task({ id: id("shaky") }, async () => {
    if (!healed) throw new Error("not yet");
    return { healed: true };
  });
  const flaky = workflow({ name: id("flaky"), tasks: [shaky] });

  const schema = z.object({ approved: z.boolean() });
  const approval = waitForSignal({ id: id("approval"), schema });
  const ship = task({ id: id("ship"), dependsOn: [approval] }, (ctx: Record<string, unknown>) => ({
    shipped: (ctx[id("approval")] as { approved: boolean }).approved,
  }));
  const approve = workflow({ name: id("approve"), tasks: [approval, ship] });

  const gate = task({ id: id("gate") }, untilAborted);
  const gatedApproval = waitForSignal({ id: id("gated-approval"), dependsOn: [gate] });
  const gated = workflow({ name: id("gated"), tasks: [gate, gatedApproval] });

  const nap = workflow({ name: id("nap"), tasks: [sleep({ id: id("sleep"), for: "1h" })] });
  return { etl, broken, slow, flaky, approve, gated, nap, heal: () => (healed = true), id };
}

/** Polls until `check` holds (real time, real database). */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function taskStatus(executor: Executor, executionId: string, taskId: string): Promise<string | undefined> {
  return (await executor.inspect(executionId)).tasks.find((t) => t.id === taskId)?.status;
}

export async function runStatus(executor: Executor, executionId: string): Promise<RunStatus> {
  return (await executor.get(executionId)).status();
}
