/**
 * Statements per step on SQLite, counted on the real driver (README: "Round trips per step").
 *
 * A statement is one execution of a better-sqlite3 statement (`run`, `get`, `all`, `iterate`),
 * which includes the BEGIN IMMEDIATE and COMMIT that `db.transaction()` runs (better-sqlite3
 * prepares them as statements too, so they are counted, not assumed). The test wraps those
 * methods on the Statement prototype, and `Database.prototype.exec`, `pragma` and `prepare`, for
 * the one step measured. Each budget is what the code costs today, so a change that adds a
 * statement fails here; a change that removes one should lower the budget (and the README's table).
 *
 * Each statement is labelled with the plan operations the engine yielded before it (the driver's
 * `transact` is wrapped only to observe the plan; every operation runs on the real driver).
 */
import { parseSqliteUrl, SqliteDriver } from "@cloacina/backend-sqlite";
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
import BetterSqlite3 from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, test } from "vitest";

interface Executed {
  /** The plan operation(s) this statement performs (BEGIN/COMMIT: the statement itself). */
  label: string;
  sql: string;
}

interface Counts {
  statements: Executed[];
  /** Statements compiled during the step (the driver prepares its statements once, before). */
  prepares: number;
}

type Method = (this: unknown, ...args: unknown[]) => unknown;
const statementPrototype = (() => {
  const db = new BetterSqlite3(":memory:");
  try {
    return Object.getPrototypeOf(db.prepare("select 1")) as Record<string, Method>;
  } finally {
    db.close();
  }
})();
const databasePrototype = BetterSqlite3.prototype as unknown as Record<string, Method>;

/** A store on a fresh file whose plan operations are observed (to label the statements). */
class Measured {
  readonly store: Store;
  readonly #yielded: string[] = [];
  #last = "";

  constructor(file: string) {
    const driver = new SqliteDriver(parseSqliteUrl(`sqlite://${file}`));
    const yielded = this.#yielded;
    observePlans(driver, (op) => yielded.push(op));
    this.store = new Store(driver);
  }

  /** The statements `step` executes, and how many it prepares. */
  async count(step: () => Promise<unknown>): Promise<Counts> {
    const counts: Counts = { statements: [], prepares: 0 };
    this.#yielded.length = 0;
    this.#last = "";
    const label = (sql: string): string => {
      const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase() ?? "?";
      if (["begin", "commit", "rollback"].includes(verb)) return sql.trim().toUpperCase();
      const ops = this.#yielded.splice(0);
      if (ops.length > 0) this.#last = ops.join("+"); // else: another statement of the same operation
      const tables = [...new Set(sql.match(/cloacina_\w+/g) ?? [])].join(", ");
      return `${this.#last} (${verb} ${tables})`;
    };
    const restore: (() => void)[] = [];
    const wrap = (target: Record<string, Method>, name: string, before: (self: unknown, args: unknown[]) => void) => {
      const original = target[name]!;
      target[name] = function (this: unknown, ...args: unknown[]) {
        before(this, args);
        return original.apply(this, args);
      };
      restore.push(() => (target[name] = original));
    };
    for (const name of ["run", "get", "all", "iterate"]) {
      wrap(statementPrototype, name, (self) => {
        const sql = (self as { source: string }).source;
        counts.statements.push({ label: label(sql), sql });
      });
    }
    // Statements run outside a prepared statement: none today, but they would count.
    for (const name of ["exec", "pragma"]) {
      wrap(databasePrototype, name, (_self, args) => {
        const sql = `${name} ${String(args[0])}`;
        counts.statements.push({ label: label(sql), sql });
      });
    }
    wrap(databasePrototype, "prepare", () => counts.prepares++);
    try {
      await step();
    } finally {
      for (const undo of restore.reverse()) undo();
    }
    return counts;
  }
}

/** Labels, consecutive repeats folded ("insertEvent ×3"). */
function labels(statements: Executed[]): string {
  const folded: { label: string; n: number }[] = [];
  for (const { label } of statements) {
    const last = folded.at(-1);
    if (last?.label === label) last.n++;
    else folded.push({ label, n: 1 });
  }
  return folded.map((f) => (f.n > 1 ? `${f.label} ×${f.n}` : f.label)).join(" · ");
}

function report(name: string, { statements }: Counts): void {
  console.log(`SQLite ${name}: ${statements.length} statements: ${labels(statements)}`);
}

/** The cost of each case, in statements (see the README's table). */
const BUDGET = {
  /**
   * 9: BEGIN IMMEDIATE · insertRuns: 1 run row + 3 task rows (4 inserts) · claim: select the
   * ready tasks + update the one claimed · appendEvents: run.started, task.ready, task.started
   * (one multi-row insert) · COMMIT.
   */
  runStart: 9,
  /**
   * 8: BEGIN IMMEDIATE · finishTasks: finish (1 update), release the child (1 update … returning),
   * count the run down (1 update … returning its counters) · claim (select + 1 update) ·
   * appendEvents: task.completed, task.ready, task.started (one multi-row insert) · COMMIT.
   */
  chainStep: 8,
  /**
   * 12 = 8 + 4: SQLite loops the row-level batches' prepared statements, so a second outcome
   * (another run's chain step) adds 1 finish, 1 release, 1 claim update and 1 countDown; its
   * events join the same insert. No round trips here: each costs microseconds inside the
   * transaction.
   */
  chainStepTwoOutcomes: 12,
  /** 8: as a chain step (finish the last parallel task, release and claim the join, count down, events). */
  fanOutCompletion: 8,
  /**
   * 7: BEGIN IMMEDIATE · finishTasks: finish (1 update), count the run down (nothing to release) ·
   * claim (select, finds nothing) · finishRuns (1 update) · appendEvents: task.completed,
   * run.completed · COMMIT.
   */
  lastTask: 7,
};

const dir = mkdtempSync(path.join(tmpdir(), "cloacina-statements-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("statements per step (SQLite)", () => {
  let m: Measured;
  let n = 0;
  beforeEach(async () => {
    m = new Measured(path.join(dir, `${++n}.db`));
    await m.store.migrate();
    // The driver prepares its statements on its first transaction: not part of any step measured.
    await m.store.step(request({ limit: 0 }));
  });
  afterEach(() => m.store.close());

  test("the counter: a step with nothing to claim, and one that claims nothing", async () => {
    const idle = await m.count(() => m.store.step(request({})));
    report("idle step (nothing ready)", idle);
    // 3: BEGIN IMMEDIATE, claim (finds nothing), COMMIT: the transaction's own two are seen.
    expect(idle.statements.map((s) => s.label)).toEqual([
      "BEGIN IMMEDIATE",
      expect.stringMatching(/^claim \(select/),
      "COMMIT",
    ]);
    expect(idle.prepares).toBe(0);
    const empty = await m.count(() => m.store.step(request({ limit: 0 })));
    // 2: BEGIN IMMEDIATE, COMMIT (an empty plan still opens a transaction).
    expect(empty.statements.map((s) => s.label)).toEqual(["BEGIN IMMEDIATE", "COMMIT"]);
  });

  test("run start: a new 3-task run stored and its root claimed", async () => {
    let result: StepResult | undefined;
    const counts = await m.count(async () => (result = await m.store.step(request({ newRuns: [chain("r1")] }))));
    expect(claimed(result!)).toEqual(["r1/a"]);
    report("run start", counts);
    expect(counts.statements, labels(counts.statements)).toHaveLength(BUDGET.runStart);
    expect(counts.prepares).toBe(0);
  });

  test("chain step: a task of a sequential chain completes and the next is claimed", async () => {
    await m.store.step(request({ newRuns: [chain("r1")] }));
    let result: StepResult | undefined;
    const counts = await m.count(
      async () => (result = await m.store.step(request({ outcomes: [completed("r1", "a", ["b"])] }))),
    );
    expect(claimed(result!)).toEqual(["r1/b"]);
    report("chain step", counts);
    expect(counts.statements, labels(counts.statements)).toHaveLength(BUDGET.chainStep);
    expect(counts.prepares).toBe(0);
  });

  test("a second outcome in a chain step costs statements per row (SQLite loops its batches)", async () => {
    await m.store.step(request({ newRuns: [chain("r1"), chain("r2")] }));
    let result: StepResult | undefined;
    const counts = await m.count(
      async () =>
        (result = await m.store.step(
          request({ outcomes: [completed("r1", "a", ["b"]), completed("r2", "a", ["b"])] }),
        )),
    );
    expect(claimed(result!)).toEqual(["r1/b", "r2/b"]);
    report("chain step, 2 outcomes", counts);
    expect(counts.statements, labels(counts.statements)).toHaveLength(BUDGET.chainStepTwoOutcomes);
  });

  test("fan-out completion: the last of 4 parallel tasks completes and the join is claimed", async () => {
    await m.store.step(request({ newRuns: [fanOut("r1", 4)] }));
    const middle = await m.store.step(request({ outcomes: [completed("r1", "a", ["b1", "b2", "b3", "b4"])] }));
    expect(claimed(middle)).toEqual(["r1/b1", "r1/b2", "r1/b3", "r1/b4"]);
    await m.store.step(request({ outcomes: ["b1", "b2", "b3"].map((b) => completed("r1", b, ["join"])) }));
    let result: StepResult | undefined;
    const counts = await m.count(
      async () => (result = await m.store.step(request({ outcomes: [completed("r1", "b4", ["join"])] }))),
    );
    expect(claimed(result!)).toEqual(["r1/join"]);
    report("fan-out completion", counts);
    expect(counts.statements, labels(counts.statements)).toHaveLength(BUDGET.fanOutCompletion);
    expect(counts.prepares).toBe(0);
  });

  test("a run's last task: the run gets its final status in the same step", async () => {
    await chainUpToLastTask(m.store, "r1");
    let result: StepResult | undefined;
    const counts = await m.count(
      async () => (result = await m.store.step(request({ outcomes: [completed("r1", "c", [])] }))),
    );
    expect(result!.finishedRuns).toEqual([{ runId: "r1", status: "Completed" }]);
    report("last task of a run", counts);
    expect(counts.statements, labels(counts.statements)).toHaveLength(BUDGET.lastTask);
  });
});
