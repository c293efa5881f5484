import { expect } from "vitest";
import { defineWorkflow } from "./harness.js";
import type { CaseFn } from "./index.js";

export function operationsCases(it: CaseFn): void {
  it("retry() runs a failed run again from its failed tasks; completed tasks are kept", async (session) => {
    const calls = { a: 0, b: 0, c: 0 };
    let broken = true;
    const { wf, short } = defineWorkflow({
      a: { run: () => (calls.a++, { a: 1 }) },
      b: {
        dependsOn: ["a"],
        retry: { maxAttempts: 2, backoff: "fixed", delayMs: 1 },
        run: (ctx) => {
          calls.b++;
          if (broken) throw new Error("downstream is down");
          return { b: (ctx.a as number) + 1 };
        },
      },
      c: { dependsOn: ["b"], run: (ctx) => (calls.c++, { c: (ctx.b as number) * 10 }) },
    });
    const executor = await session.executor();
    const failed = await executor.execute(wf, { input: true });
    expect(failed.status).toBe("Failed");
    expect(calls).toEqual({ a: 1, b: 2, c: 0 });
    await expect(executor.retry("no-such-run")).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });

    broken = false;
    const handle = await executor.retry(failed.executionId);
    expect(handle.executionId).toBe(failed.executionId);
    const result = await handle.result();
    expect(result.status).toBe("Completed");
    expect(result.finalContext).toEqual({ input: true, a: 1, b: 2, c: 20 });
    expect(calls).toEqual({ a: 1, b: 3, c: 1 });
    expect(result.tasks.map((t) => [short(t.id), t.status, t.attempts])).toEqual([
      ["a", "Completed", 1],
      ["b", "Completed", 3],
      ["c", "Completed", 1],
    ]);
    await expect(executor.retry(failed.executionId)).rejects.toMatchObject({ code: "RUN_NOT_RETRYABLE" });
  });

  it("listRuns() filters by status, workflow and time, newest first, with keyset pagination", async (session) => {
    const { wf: good } = defineWorkflow({ ok: {} });
    const { wf: bad } = defineWorkflow({
      no: {
        run: () => {
          throw new Error("no");
        },
      },
    });
    const executor = await session.executor();
    const before = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await executor.execute(good, { i })).executionId);
    for (let i = 0; i < 2; i++) ids.push((await executor.execute(bad, { i })).executionId);

    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await executor.listRuns({ limit: 3, ...(cursor ? { cursor } : {}) });
      pages.push(page.runs.map((r) => r.runId));
      cursor = page.next;
    } while (cursor !== undefined);
    const listed = pages.flat();
    expect(new Set(listed)).toEqual(new Set(ids));
    expect(listed).toHaveLength(ids.length);
    expect(pages.length).toBe(3);

    const all = (await executor.listRuns({ limit: 100 })).runs;
    const times = all.map((r) => r.createdAt);
    expect(times).toEqual([...times].sort((x, y) => y - x));
    expect((await executor.listRuns({ status: "Failed" })).runs.map((r) => r.workflowName)).toEqual([
      bad.name,
      bad.name,
    ]);
    expect((await executor.listRuns({ workflow: good.name, status: "Completed" })).runs).toHaveLength(5);
    expect((await executor.listRuns({ from: new Date(before - 60_000), to: before - 1 })).runs).toEqual([]);
    expect((await executor.listRuns({ from: before })).runs).toHaveLength(7);
    await expect(executor.listRuns({ status: "Done" as never })).rejects.toMatchObject({
      code: "INVALID_LIST_OPTIONS",
    });
    await expect(executor.listRuns({ cursor: "garbage" })).rejects.toMatchObject({ code: "INVALID_LIST_OPTIONS" });
  });
}
