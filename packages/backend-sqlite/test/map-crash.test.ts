/**
 * Issue 13 on SQLite with real processes: a worker killed with SIGKILL while a map's instances
 * run, while a child run works, or while only some of a mapped task's child runs have started
 * loses nothing. A new executor completes the run; no completed instance or child runs again, a
 * map expands once, and every element has exactly one child run.
 */
import { createExecutor } from "@cloacina/backend-sqlite";
import { until } from "@cloacina/engine/conformance";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, expect, test } from "vitest";
import { children, HANG_FROM, MAX_PARALLEL, parent, squares } from "./fixtures/map-workflows.js";

const root = path.resolve(import.meta.dirname, "../../..");
const dir = mkdtempSync(path.join(tmpdir(), "cloacina-map-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * Per test: a database file, the log the workflows write ("<what> <pid>" lines), a client that
 * runs no task, the doomed worker process (its elements from HANG_FROM on hang), and the
 * survivor: an executor in this process, opened after the kill.
 */
async function setup(name: string) {
  const dbUrl = `sqlite://${dir}/${name}.db`;
  const logFile = path.join(dir, `${name}.log`);
  process.env.MAP_LOG = logFile; // this process's tasks (the survivor's) log there too
  const client = await createExecutor(dbUrl, { runTasks: false });
  cleanups.push(() => client.close());
  const worker = await startDoomedWorker(dbUrl, logFile);
  const lines = () => (existsSync(logFile) ? readFileSync(logFile, "utf8").trim().split("\n") : []);
  const killWorker = async () => {
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    worker.kill("SIGKILL");
    await exited;
  };
  const survivor = async () => {
    const executor = await createExecutor(dbUrl);
    cleanups.push(() => executor.close());
    return executor;
  };
  return { client, lines, killWorker, survivor, dead: String(worker.pid), me: String(process.pid) };
}

/** `node --import tsx` (not the tsx launcher), so the pid killed is the one running tasks. */
async function startDoomedWorker(dbUrl: string, logFile: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=@cloacina/source", path.join(import.meta.dirname, "fixtures/map-worker.ts")],
    {
      cwd: root,
      env: { ...process.env, DB_URL: dbUrl, MAP_LOG: logFile, MAP_DOOMED: "1" },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  cleanups.push(async () => void child.kill("SIGKILL"));
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  await until(() => out.includes("ready\n"), "the worker is ready", 15_000);
  return child;
}

/** For each element, the pids that ran its work ("<label> <index> <pid>" lines), in log order. */
function runsPerElement(lines: string[], label: string): Record<number, string[]> {
  const runs: Record<number, string[]> = {};
  for (const line of lines) {
    const [what, index, pid] = line.split(" ");
    if (what === label) (runs[Number(index)] ??= []).push(pid!);
  }
  return runs;
}

/** What the survivor must see: elements before HANG_FROM ran once, killed; the hung ones ran again. */
function expectedRuns(n: number, startedBeforeKill: number, dead: string, me: string): Record<number, string[]> {
  return Object.fromEntries(
    range(n).map((i) => [i, i < HANG_FROM ? [dead] : i < startedBeforeKill ? [dead, me] : [me]]),
  );
}

test("SIGKILL while a map's instances run: the survivor runs only the unfinished ones, and the map expands once", async () => {
  const { client, lines, killWorker, survivor, dead, me } = await setup("map");
  const n = 8;
  const started = HANG_FROM + MAX_PARALLEL; // 0 and 1 complete, 2-5 hang, 6 and 7 wait for a lane
  const { executionId } = await client.start(squares, { n });
  await until(async () => {
    const counts = (await client.inspect(executionId)).tasks[0]?.instances?.counts;
    const squaring = lines().filter((l) => l.startsWith("square ")).length;
    return counts?.Completed === HANG_FROM && counts.Running === MAX_PARALLEL && squaring === started;
  }, "two instances completed and four hang");
  await killWorker();

  const executor = await survivor();
  const result = await (await executor.get(executionId)).result();
  expect(result.status).toBe("Completed");
  expect(result.finalContext["sqlmap.square"]).toEqual(range(n).map((i) => i * i));
  expect(lines().filter((l) => l.startsWith("over "))).toEqual([`over ${dead}`]);
  expect(runsPerElement(lines(), "square")).toEqual(expectedRuns(n, started, dead, me));
  const instances = (await executor.inspect(executionId)).tasks[0]!.instances!;
  expect(instances.total).toBe(n);
  expect(instances.list.map((i) => [i.index, i.status, i.attempts])).toEqual(
    range(n).map((i) => [i, "Completed", i >= HANG_FROM && i < started ? 2 : 1]),
  );
}, 20_000);

test("SIGKILL while a child run works: the survivor completes that child and its parent, and starts no other", async () => {
  const { client, lines, killWorker, survivor, dead, me } = await setup("child");
  const { executionId } = await client.start(parent, {});
  const childTask = async () => (await client.inspect(executionId)).tasks.find((t) => t.id === "sqlmap.child");
  await until(
    async () => (await childTask())?.status === "Waiting" && lines().includes(`double 21 ${dead}`),
    "the parent task waits and the child's task hangs",
  );
  const childRunId = (await childTask())!.childRunId;
  expect(childRunId).toBeDefined();
  await killWorker();

  const executor = await survivor();
  const result = await (await executor.get(executionId)).result();
  expect(result.status).toBe("Completed");
  expect(result.finalContext).toEqual({ n: 21, "sqlmap.child": { n: 21, doubled: 42 }, answer: 42 });
  const listed = await executor.listRuns({ parent: executionId });
  expect(listed.runs.map((r) => [r.runId, r.status])).toEqual([[childRunId, "Completed"]]);
  expect((await executor.inspect(executionId)).tasks.find((t) => t.id === "sqlmap.child")).toMatchObject({
    status: "Completed",
    childRunId,
  });
  expect(lines()).toEqual([`prepare ${dead}`, `double 21 ${dead}`, `double 21 ${me}`, `after ${me}`]);
}, 20_000);

test("SIGKILL while a mapped task's child runs are partly started: every element ends with exactly one child run", async () => {
  const { client, lines, killWorker, survivor, dead, me } = await setup("children");
  const count = 20;
  const started = HANG_FROM + MAX_PARALLEL; // children 0 and 1 complete, 2-5 hang, 6-19 not started
  const { executionId } = await client.start(children, { count });
  await until(
    () => lines().filter((l) => l.startsWith("double ")).length === started,
    "six children started, four of them hang",
  );
  const before = (await client.listRuns({ parent: executionId })).runs.map((r) => r.runId);
  expect(before).toHaveLength(started);
  await killWorker();

  const executor = await survivor();
  const result = await (await executor.get(executionId)).result();
  expect(result.status).toBe("Completed");
  expect(result.finalContext["sqlmap.each"]).toEqual(range(count).map((n) => ({ n, doubled: n * 2 })));
  expect(lines().filter((l) => l.startsWith("over "))).toEqual([`over ${dead}`]);
  expect(runsPerElement(lines(), "double")).toEqual(expectedRuns(count, started, dead, me));

  const listed = (await executor.listRuns({ parent: executionId, limit: 100 })).runs;
  expect(listed).toHaveLength(count);
  expect(listed.every((r) => r.status === "Completed")).toBe(true);
  expect(listed.map((r) => r.runId)).toEqual(expect.arrayContaining(before)); // the survivor kept them
  // Each child was started by its own instance row of the mapped task.
  const parents = await Promise.all(listed.map(async (r) => (await executor.inspect(r.runId)).parent));
  expect(parents.map((p) => p?.instance).sort((a, b) => a! - b!)).toEqual(range(count));
  expect(new Set(parents.map((p) => `${p?.executionId} ${p?.taskId}`))).toEqual(
    new Set([`${executionId} sqlmap.each`]),
  );
  const instances = (await executor.inspect(executionId)).tasks[0]!.instances!;
  expect(new Set(instances.list.map((i) => i.childRunId))).toEqual(new Set(listed.map((r) => r.runId)));
}, 20_000);
