/**
 * The live view's state fed with events as the engine emits them for a mapped task and a child
 * workflow task (the shapes of a real run's stream: packages/engine/src/store/step-plan.ts):
 * instance events count per element and never change the mapped task's own row.
 */
import { type ExecutorEvent, type RunDetail, task, workflow } from "cloacina";
import { afterEach, describe, expect, test, vi } from "vitest";
import { instanceSummary, progressBar } from "../../src/cli/instance-progress.js";
import { RunProgress } from "../../src/cli/progress-state.js";
import { describeTaskEvent, progressView } from "../../src/cli/progress.js";

const RUN = "8d3c52d1-6c53-4a5e-9a11-0d6f3f1f0a01";
const CHILD = "1b0f6f0e-2f5c-4c36-8f0e-5f4f2a9c7d10";
let n = 0;

/** A workflow `list → count → spawn` with ids unique to the call (the registry is global). */
function fixture() {
  const p = `progress${n++}`;
  const list = task({ id: `${p}.list` }, () => ({ files: [] as string[] }));
  const count = task({ id: `${p}.count`, dependsOn: [list], retry: { maxAttempts: 2, delayMs: 1 } }, () => ({}));
  const spawn = task({ id: `${p}.spawn`, dependsOn: [count] }, () => ({}));
  const wf = workflow({ name: `${p}.wf`, tasks: [list, count, spawn] });
  return { progress: new RunProgress(wf, RUN), count: `${p}.count`, spawn: `${p}.spawn` };
}

let seq = 0;
function event(type: ExecutorEvent["type"], fields: Partial<ExecutorEvent> = {}): ExecutorEvent {
  return { seq: `1-${seq++}`, type, executionId: RUN, at: new Date(1_000 + seq), ...fields };
}

/** The events of one instance of `taskId`, as the engine sends them. */
function instance(taskId: string, index: number, type: ExecutorEvent["type"], fields: Partial<ExecutorEvent> = {}) {
  return event(type, { taskId, instance: index, attempt: 1, ...fields });
}

describe("RunProgress with a mapped task", () => {
  test("counts done and failed per instance from their events; the task's own status stays Waiting", () => {
    const { progress, count } = fixture();
    progress.apply(event("task.started", { taskId: count, attempt: 1 }));
    const row = progress.apply(event("task.waiting", { taskId: count, attempt: 1, waitingFor: "map", instances: 10 }))!;
    expect(row.status).toBe("Waiting");
    expect(row.instances?.total).toBe(10);

    for (let i = 0; i < 7; i++) progress.apply(instance(count, i, "task.started"));
    for (let i = 0; i < 6; i++) expect(progress.apply(instance(count, i, "task.completed"))).toBe(row);
    progress.apply(instance(count, 6, "task.failed", { error: { name: "Error", message: "boom" } }));

    expect(row.status).toBe("Waiting");
    expect(row.error).toBeUndefined(); // an instance's error is not the task's
    expect(row.finishedAt).toBeUndefined();
    expect([row.instances!.done, row.instances!.failed, row.instances!.count("Running")]).toEqual([6, 1, 0]);
    expect(`${progressBar(row.instances!)} ${instanceSummary(row.instances!)}`).toBe(
      "[██████▒░░░] 6/10 done, 1 failed",
    );
  });

  test("a retried instance counts once, as what it ended as; a repeated event changes nothing", () => {
    const { progress, count } = fixture();
    const row = progress.apply(event("task.waiting", { taskId: count, attempt: 1, waitingFor: "map", instances: 3 }))!;
    progress.apply(instance(count, 1, "task.started"));
    progress.apply(instance(count, 1, "task.retrying", { error: { name: "Error", message: "flaky" } }));
    expect(row.instances!.failed).toBe(0); // retrying is not failed
    progress.apply(instance(count, 1, "task.started", { attempt: 2 }));
    progress.apply(instance(count, 1, "task.completed", { attempt: 2 }));
    progress.apply(instance(count, 1, "task.completed", { attempt: 2 }));
    expect(row.instances!.done).toBe(1);
    expect(instanceSummary(row.instances!)).toBe("1/3 done");

    // After a manual retry a failed instance runs again: it stops counting as failed.
    progress.apply(instance(count, 2, "task.failed"));
    expect(row.instances!.failed).toBe(1);
    progress.apply(instance(count, 2, "task.ready"));
    expect(row.instances!.failed).toBe(0);
    expect(row.attempt).toBe(1); // the task's own attempt, not its instances'
  });

  test("the task's own events still drive its row, and its duration runs from its first start", () => {
    const { progress, count } = fixture();
    const started = event("task.started", { taskId: count, attempt: 1 });
    progress.apply(started);
    progress.apply(event("task.waiting", { taskId: count, attempt: 1, waitingFor: "map", instances: 1 }));
    progress.apply(instance(count, 0, "task.completed"));
    progress.apply(event("task.ready", { taskId: count }));
    progress.apply(event("task.started", { taskId: count, attempt: 1 })); // woken to collect the outputs
    const row = progress.apply(event("task.completed", { taskId: count, attempt: 1 }))!;
    expect(row.status).toBe("Completed");
    expect(row.startedAt).toBe(started.at.getTime());
    expect(row.instances!.done).toBe(1);
  });

  test("settleDetail puts the stored counts in place of what missed events left", () => {
    const { progress, count, spawn } = fixture();
    progress.apply(event("task.waiting", { taskId: count, attempt: 1, waitingFor: "map", instances: 3 }));
    progress.apply(instance(count, 0, "task.completed"));
    const detail = {
      tasks: [
        {
          id: count,
          instances: {
            total: 3,
            counts: { Completed: 2, Failed: 1 },
            list: [
              { index: 0, status: "Completed", attempts: 1 },
              { index: 1, status: "Completed", attempts: 1 },
              { index: 2, status: "Failed", attempts: 2 },
            ],
          },
        },
        { id: spawn, childRunId: CHILD },
      ],
    } as unknown as RunDetail;
    progress.settleDetail(detail);
    expect(instanceSummary(progress.tasks.get(count)!.instances!)).toBe("2/3 done, 1 failed");
    expect(progress.tasks.get(spawn)!.childRunId).toBe(CHILD);
  });
});

describe("RunProgress with a child workflow task", () => {
  test("keeps the child run id from its waiting event, after the task ends too", () => {
    const { progress, spawn } = fixture();
    progress.apply(event("task.started", { taskId: spawn, attempt: 1 }));
    const row = progress.apply(
      event("task.waiting", { taskId: spawn, attempt: 1, waitingFor: "child", childRunId: CHILD }),
    )!;
    expect(row.waiting).toEqual({ for: "child" });
    expect(row.childRunId).toBe(CHILD);
    progress.apply(event("task.ready", { taskId: spawn }));
    progress.apply(event("task.started", { taskId: spawn, attempt: 1 }));
    progress.apply(event("task.completed", { taskId: spawn, attempt: 1 }));
    expect(row.status).toBe("Completed");
    expect(row.childRunId).toBe(CHILD);
    expect(row.instances).toBeUndefined();
  });
});

describe("the plain-line view", () => {
  afterEach(() => vi.restoreAllMocks());

  test("says what a map and a child wait for", () => {
    const map = event("task.waiting", { taskId: "t", waitingFor: "map", instances: 10 });
    expect(describeTaskEvent(map)).toBe("mapped over 10 elements");
    const child = event("task.waiting", { taskId: "t", waitingFor: "child", childRunId: CHILD });
    expect(describeTaskEvent(child)).toBe(`waiting for child run ${CHILD}`);
  });

  test("prints a mapped task's bar each tenth of its instances, and its failed instances, not a line per instance", () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      return true;
    });
    const { progress, count } = fixture();
    const view = progressView(progress, { isTTY: false } as NodeJS.WriteStream);
    const feed = (e: ExecutorEvent) => view.update(e, progress.apply(e));
    feed(event("task.waiting", { taskId: count, attempt: 1, waitingFor: "map", instances: 100 }));
    for (let i = 0; i < 100; i++) {
      feed(instance(count, i, "task.started"));
      if (i === 42) feed(instance(count, i, "task.failed", { error: { name: "Error", message: "no such file" } }));
      else feed(instance(count, i, "task.completed"));
    }
    view.finish();
    expect(lines[0]).toBe(`run ${RUN} (${progress.workflow.name}): 3 tasks`);
    expect(lines[1]).toBe(`  ${count}: mapped over 100 elements`);
    expect(lines).toContain(`  ${count}[42]: failed after 1 attempt: no such file`);
    const bars = lines.filter((l) => l.startsWith(`  ${count}: [`));
    expect(bars).toHaveLength(10);
    expect(bars[0]).toBe(`  ${count}: [█░░░░░░░░░] 10/100 done`);
    expect(bars.at(-1)).toBe(`  ${count}: [█████████▒] 99/100 done, 1 failed`);
    expect(lines).toHaveLength(2 + 1 + 10);
  });
});
