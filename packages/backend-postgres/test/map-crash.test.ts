/**
 * Issue 13 on PostgreSQL with real processes: a worker killed with SIGKILL while a map's
 * instances run, while a child run works, or while only some of a mapped task's child runs have
 * started loses nothing. A survivor worker completes the run; no completed instance or child runs
 * again, a map expands once, and every element has exactly one child run. The killed worker's
 * lease is 30 s: the survivor takes its tasks back at once because their owner is a dead process.
 */
import { resetRegistry } from "@cloacina/engine";
import { describe, expect, test } from "vitest";
import { skipPostgres } from "./pg-test-db.js";
import { type LogLine, readTaskLog, stopProcess, until } from "./wait-processes.js";
import { workerFixture } from "./workers.js";

resetRegistry();
const { children, HANG_FROM, MAX_PARALLEL, parent, squares } = await import("./fixtures/map-workflows.js");

/** The killed worker's lease: far longer than any test, so nothing here waits for it to expire. */
const LONG_LEASE_MS = 30_000;
/** Elements started in the doomed worker: those before HANG_FROM completed, the others hang. */
const STARTED = HANG_FROM + MAX_PARALLEL;

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** For each element, the pids that ran its work (`task` lines with an index), in log order. */
function runsPerElement(lines: LogLine[], task: string): Record<number, number[]> {
  const runs: Record<number, number[]> = {};
  for (const line of lines) if (line.task === task) (runs[line.index as number] ??= []).push(line.pid);
  return runs;
}

/** What the survivor must leave: elements before HANG_FROM ran once, killed; the hung ones ran again. */
function expectedRuns(n: number, dead: number, survivor: number): Record<number, number[]> {
  return Object.fromEntries(
    range(n).map((i) => [i, i < HANG_FROM ? [dead] : i < STARTED ? [dead, survivor] : [survivor]]),
  );
}

describe.skipIf(skipPostgres)("a worker killed with SIGKILL inside a map or a child run loses nothing", () => {
  const fixture = workerFixture("mcrash", { WORKFLOWS: "./map-workflows.js", LEASE_MS: String(LONG_LEASE_MS) });

  /** A doomed worker (its elements from HANG_FROM on hang) and, after `kill`, a survivor. */
  async function setup() {
    const { client, worker, log } = await fixture.setup();
    const doomed = await worker({ MAP_DOOMED: "1" });
    let killedAt = 0;
    const kill = async () => {
      await stopProcess(doomed, "SIGKILL");
      killedAt = Date.now();
      return worker();
    };
    const sinceKill = () => Date.now() - killedAt;
    return { client, lines: () => readTaskLog(log), doomed, kill, sinceKill };
  }

  test("while a map's instances run: the survivor runs only the unfinished ones, and the map expands once", async () => {
    const { client, lines, doomed, kill, sinceKill } = await setup();
    const n = 8; // 0 and 1 complete, 2-5 hang, 6 and 7 wait for a lane
    const handle = await client.start(squares, { n });
    await until(async () => {
      const counts = (await client.inspect(handle.executionId)).tasks[0]?.instances?.counts;
      const squaring = lines().filter((l) => l.task === "pgmap.square").length;
      return counts?.Completed === HANG_FROM && counts.Running === MAX_PARALLEL && squaring === STARTED;
    }, "two instances completed and four hang");
    const survivor = await kill();

    const result = await handle.result();
    expect(result.status).toBe("Completed");
    expect(sinceKill()).toBeLessThan(LONG_LEASE_MS / 3); // taken back from a dead owner, not an expired lease
    expect(result.finalContext["pgmap.square"]).toEqual(range(n).map((i) => i * i));
    expect(
      lines()
        .filter((l) => l.task === "pgmap.over")
        .map((l) => l.pid),
    ).toEqual([doomed.pid]);
    expect(runsPerElement(lines(), "pgmap.square")).toEqual(expectedRuns(n, doomed.pid!, survivor.pid!));
    const instances = (await client.inspect(handle.executionId)).tasks[0]!.instances!;
    expect(instances.total).toBe(n);
    expect(instances.list.map((i) => [i.index, i.status, i.attempts])).toEqual(
      range(n).map((i) => [i, "Completed", i >= HANG_FROM && i < STARTED ? 2 : 1]),
    );
  }, 20_000);

  test("while a child run works: the survivor completes that child and its parent, and starts no other", async () => {
    const { client, lines, doomed, kill, sinceKill } = await setup();
    const handle = await client.start(parent, {});
    const id = handle.executionId;
    const childTask = async () => (await client.inspect(id)).tasks.find((t) => t.id === "pgmap.child");
    await until(
      async () => (await childTask())?.status === "Waiting" && lines().some((l) => l.task === "pgmap.double"),
      "the parent task waits and the child's task hangs",
    );
    const childRunId = (await childTask())!.childRunId;
    expect(childRunId).toBeDefined();
    const survivor = await kill();

    const result = await handle.result();
    expect(result.status).toBe("Completed");
    expect(sinceKill()).toBeLessThan(LONG_LEASE_MS / 3);
    expect(result.finalContext).toEqual({ n: 21, "pgmap.child": { n: 21, doubled: 42 }, answer: 42 });
    const listed = await client.listRuns({ parent: id });
    expect(listed.runs.map((r) => [r.runId, r.status])).toEqual([[childRunId, "Completed"]]);
    expect(await childTask()).toMatchObject({ status: "Completed", childRunId });
    expect(lines().map((l) => [l.task, l.pid])).toEqual([
      ["pgmap.prepare", doomed.pid],
      ["pgmap.double", doomed.pid],
      ["pgmap.double", survivor.pid],
      ["pgmap.after", survivor.pid],
    ]);
  }, 20_000);

  test("while a mapped task's child runs are partly started: every element ends with exactly one child run", async () => {
    const { client, lines, doomed, kill, sinceKill } = await setup();
    const count = 20; // children 0 and 1 complete, 2-5 hang, 6-19 are not started
    const handle = await client.start(children, { count });
    const id = handle.executionId;
    await until(
      () => lines().filter((l) => l.task === "pgmap.double").length === STARTED,
      "six children started, four of them hang",
    );
    const before = (await client.listRuns({ parent: id })).runs.map((r) => r.runId);
    expect(before).toHaveLength(STARTED);
    const survivor = await kill();

    const result = await handle.result();
    expect(result.status).toBe("Completed");
    expect(sinceKill()).toBeLessThan(LONG_LEASE_MS / 3);
    expect(result.finalContext["pgmap.each"]).toEqual(range(count).map((n) => ({ n, doubled: n * 2 })));
    expect(
      lines()
        .filter((l) => l.task === "pgmap.over")
        .map((l) => l.pid),
    ).toEqual([doomed.pid]);
    expect(runsPerElement(lines(), "pgmap.double")).toEqual(expectedRuns(count, doomed.pid!, survivor.pid!));

    const listed = (await client.listRuns({ parent: id, limit: 100 })).runs;
    expect(listed).toHaveLength(count);
    expect(listed.every((r) => r.status === "Completed")).toBe(true);
    expect(listed.map((r) => r.runId)).toEqual(expect.arrayContaining(before)); // the survivor kept them
    // Each child was started by its own instance row of the mapped task.
    const parents = await Promise.all(listed.map(async (r) => (await client.inspect(r.runId)).parent));
    expect(parents.map((p) => p?.instance).sort((a, b) => a! - b!)).toEqual(range(count));
    expect(new Set(parents.map((p) => `${p?.executionId} ${p?.taskId}`))).toEqual(new Set([`${id} pgmap.each`]));
    const instances = (await client.inspect(id)).tasks[0]!.instances!;
    expect(new Set(instances.list.map((i) => i.childRunId))).toEqual(new Set(listed.map((r) => r.runId)));
  }, 20_000);
});
