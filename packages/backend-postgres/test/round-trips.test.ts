/**
 * Round trips per step on PostgreSQL, counted on the real driver (README: "Round trips per step").
 *
 * The driver pipelines: it sends a statement without waiting for the answers to earlier ones. So
 * a round trip is a group of statements sent one after another with no answer read in between;
 * the next round trip begins with the first statement sent after an answer came back. The test
 * wraps `pg.Client.prototype.query` (every pool client is a `pg.Client`) for the one step
 * measured, while nothing else runs. Each budget is what the code costs today, so a change that
 * adds a round trip fails here; a change that removes one should lower the budget (and the
 * README's table).
 *
 * Each statement is labelled with the plan operations the engine yielded before it (the driver's
 * `transact` is wrapped only to observe the plan; every operation runs on the real driver).
 */
import { parsePostgresUrl, PostgresDriver } from "@cloacina/backend-postgres";
import {
  chainRun as chain,
  chainUpToLastTask,
  claimedTasks as claimed,
  completedOutcome as completed,
  fanOutRun as fanOut,
  observePlans,
  stepRequest as request,
} from "@cloacina/engine/conformance";
import { type StepResult, Store } from "@cloacina/engine/store";
import { openExecutor, task, workflow } from "@cloacina/engine";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { dropSchema, freshSchema, skipPostgres } from "./pg-test-db.js";

interface Trip {
  /** The statements of this round trip, each labelled with its plan operation(s) (BEGIN/COMMIT: the statement itself). */
  label: string;
  sql: string[];
}

/** A store on a fresh schema whose plan operations are observed (to label the round trips). */
class Measured {
  readonly store: Store;
  readonly #yielded: string[] = [];
  #last = "";

  constructor(url: string) {
    const driver = new PostgresDriver(parsePostgresUrl(url));
    const yielded = this.#yielded;
    observePlans(driver, (op) => yielded.push(op));
    this.store = new Store(driver);
  }

  /** The round trips of `step`: every query any pg client sends meanwhile, grouped as sent. */
  async trips(step: () => Promise<unknown>): Promise<Trip[]> {
    const trips: Trip[] = [];
    // Saved and put back as it is: a prototype method, never called unbound.
    const prototype = pg.Client.prototype as unknown as { query: (this: pg.Client, ...args: unknown[]) => unknown };
    const original = prototype.query;
    this.#yielded.length = 0;
    this.#last = "";
    const label = (sql: string): string => {
      const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase() ?? "?";
      if (["begin", "commit", "rollback"].includes(verb)) return verb.toUpperCase();
      const ops = this.#yielded.splice(0);
      if (ops.length > 0) this.#last = ops.join("+"); // else: another statement of the same operation
      const tables = [...new Set(sql.match(/cloacina_\w+/g) ?? [])].join(", ");
      const notify = sql.includes("pg_notify") ? " + pg_notify" : "";
      return `${this.#last} (${verb} ${tables}${notify})`;
    };
    let answered = true; // since the last statement was sent
    prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const sql = typeof args[0] === "string" ? args[0] : String((args[0] as { text?: unknown } | null)?.text);
      const current = trips.at(-1);
      if (answered || !current) {
        trips.push({ label: label(sql), sql: [sql] });
      } else {
        current.label += ` + ${label(sql)}`;
        current.sql.push(sql);
      }
      answered = false;
      const answer = original.apply(this, args);
      if (answer instanceof Promise) {
        answer.then(
          () => (answered = true),
          () => (answered = true),
        );
      }
      return answer;
    };
    try {
      await step();
    } finally {
      prototype.query = original;
    }
    return trips;
  }
}

const labels = (trips: Trip[]) => trips.map((t) => t.label).join(" · ");

function report(name: string, trips: Trip[]): void {
  console.log(`PostgreSQL ${name}: ${trips.length} round trips: ${labels(trips)}`);
}

describe.skipIf(skipPostgres)("round trips per step (PostgreSQL)", () => {
  let schema: string;
  let url: string;
  let m: Measured;
  beforeEach(async () => {
    const fresh = freshSchema("rtt");
    schema = fresh.schema;
    url = fresh.url;
    m = new Measured(fresh.url);
    await m.store.migrate();
  });
  afterEach(async () => {
    await m.store.close();
    await dropSchema(schema);
  });

  test("the counter: a step with nothing to claim, and one that claims nothing", async () => {
    const idle = await m.trips(() => m.store.step(request({})));
    report("idle step (nothing ready)", idle);
    // 2: BEGIN + claim (finds nothing), then COMMIT. No events, no notices: nothing else is sent.
    expect(idle.map((t) => t.label)).toEqual([expect.stringMatching(/^BEGIN \+ claim \(update/), "COMMIT"]);
    const empty = await m.trips(() => m.store.step(request({ limit: 0 })));
    // 1: BEGIN + COMMIT (an empty plan still opens a transaction).
    expect(empty.map((t) => t.label)).toEqual(["BEGIN + COMMIT"]);
  });

  test("run start: a new 3-task run stored and its root claimed", async () => {
    let result: StepResult | undefined;
    const trips = await m.trips(async () => (result = await m.store.step(request({ newRuns: [chain("r1")] }))));
    expect(claimed(result!)).toEqual(["r1/a"]);
    report("run start", trips);
    // Budget 2: BEGIN + insertRuns (run and task rows, one statement) + claim;
    // then appendEvents and notify (one statement) + COMMIT.
    expect(trips, labels(trips)).toHaveLength(2);
  });

  test("chain step: a task of a sequential chain completes and the next is claimed", async () => {
    await m.store.step(request({ newRuns: [chain("r1")] }));
    let result: StepResult | undefined;
    const trips = await m.trips(
      async () => (result = await m.store.step(request({ outcomes: [completed("r1", "a", ["b"])] }))),
    );
    expect(claimed(result!)).toEqual(["r1/b"]);
    report("chain step", trips);
    // Budget 2: BEGIN + finishTasks (finish, release, count down: one statement) + claim;
    // then appendEvents and notify (one statement) + COMMIT.
    expect(trips, labels(trips)).toHaveLength(2);
  });

  test("a second outcome in a chain step costs no extra round trip (batches are single statements)", async () => {
    await m.store.step(request({ newRuns: [chain("r1"), chain("r2")] }));
    let result: StepResult | undefined;
    const trips = await m.trips(
      async () =>
        (result = await m.store.step(
          request({ outcomes: [completed("r1", "a", ["b"]), completed("r2", "a", ["b"])] }),
        )),
    );
    expect(claimed(result!)).toEqual(["r1/b", "r2/b"]);
    report("chain step, 2 outcomes", trips);
    // Budget 2, the same as one outcome.
    expect(trips, labels(trips)).toHaveLength(2);
  });

  test("fan-out completion: the last of 4 parallel tasks completes and the join is claimed", async () => {
    await m.store.step(request({ newRuns: [fanOut("r1", 4)] }));
    const middle = await m.store.step(request({ outcomes: [completed("r1", "a", ["b1", "b2", "b3", "b4"])] }));
    expect(claimed(middle)).toEqual(["r1/b1", "r1/b2", "r1/b3", "r1/b4"]);
    await m.store.step(request({ outcomes: ["b1", "b2", "b3"].map((b) => completed("r1", b, ["join"])) }));
    let result: StepResult | undefined;
    const trips = await m.trips(
      async () => (result = await m.store.step(request({ outcomes: [completed("r1", "b4", ["join"])] }))),
    );
    expect(claimed(result!)).toEqual(["r1/join"]);
    report("fan-out completion", trips);
    // Budget 2, as a chain step: the join's release is part of finishTasks' statement.
    expect(trips, labels(trips)).toHaveLength(2);
  });

  test("a run's last task: one more round trip, to give the run its final status", async () => {
    await chainUpToLastTask(m.store, "r1");
    let result: StepResult | undefined;
    const trips = await m.trips(
      async () => (result = await m.store.step(request({ outcomes: [completed("r1", "c", [])] }))),
    );
    expect(result!.finishedRuns).toEqual([{ runId: "r1", status: "Completed" }]);
    report("last task of a run", trips);
    // Budget 3: BEGIN + finishTasks + claim; finishRuns (the status is the engine's rule, decided
    // from the counters finishTasks returned); appendEvents and notify + COMMIT.
    expect(trips, labels(trips)).toHaveLength(3);
  });

  test("a map of 1,000 elements expands in one statement, and an instance's completion is a chain step", async () => {
    const one = { ...chain("m1"), tasks: [{ taskId: "map", position: 0, pendingDependencies: 0, maxAttempts: 1 }] };
    await m.store.step(request({ newRuns: [one] }));
    const elements = Array.from({ length: 1000 }, (_, i) => `element ${i}`);
    const expand = {
      kind: "expand" as const,
      runId: "m1",
      taskId: "map",
      attempt: 1,
      elements,
      lanes: null,
      maxAttempts: 1,
    };
    let result: StepResult | undefined;
    const expansion = await m.trips(async () => (result = await m.store.step(request({ outcomes: [expand] }))));
    expect(result!.claimed).toHaveLength(10); // the request's limit
    report("map expansion (1,000 instances)", expansion);
    const statements = expansion.flatMap((t) => t.sql);
    // All 1,000 instance rows in one INSERT (with the task's wait and the run's count, one statement).
    expect(statements.filter((sql) => /insert into\s+\S*cloacina_task_runs/i.test(sql))).toHaveLength(1);
    // Budget 3: BEGIN + expandTasks; cancelRequested (is the run being cancelled?) + claim;
    // appendEvents and notify + COMMIT.
    expect(expansion, labels(expansion)).toHaveLength(3);
    const instance = { ...completed("m1", "map[0]", ["map"]) };
    const step = await m.trips(async () => (result = await m.store.step(request({ outcomes: [instance] }))));
    report("instance completion", step);
    // Budget 2, as a chain step: releasing the mapped task is part of finishTasks' statement.
    expect(step, labels(step)).toHaveLength(2);
  });

  test("handle.result() of a finished run is one round trip (the run and its tasks in one query)", async () => {
    const wf = workflow({ name: `${schema}.wf`, tasks: [task({ id: `${schema}.only` }, () => ({ done: true }))] });
    const executor = await openExecutor(new PostgresDriver(parsePostgresUrl(url)));
    try {
      const handle = await executor.start(wf, {});
      expect((await handle.result()).status).toBe("Completed");
      let status: string | undefined;
      const trips = await m.trips(async () => (status = (await handle.result()).status));
      expect(status).toBe("Completed");
      report("result of a finished run", trips);
      // Budget 1: one select joining the run and its tasks.
      expect(trips, labels(trips)).toHaveLength(1);
    } finally {
      await executor.close();
    }
  });
});
