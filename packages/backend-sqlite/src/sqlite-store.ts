import {
  type AttemptRecord,
  type CloacinaDatabase as Database,
  failRunsPlan,
  listRunsQuery,
  countsQuery,
  type RunStatus,
  type ScheduleStore,
  scheduleStore,
  type RunFilter,
  retryRunPlan,
  type TaskReset,
  type StoredError,
  type Plan,
  recoverLeasesPlan,
  type RecoveryResult,
  type RunRecord,
  type RunsTable,
  type RunSummary,
  runPlanSync,
  type StepRequest,
  type StepResult,
  stepPlan,
  type Store,
  type TaskAttemptsTable,
  type TaskRecord,
  type TaskRunsRow,
  toAttemptRecord,
  toRunRecord,
  toRunSummary,
  toTaskRecord,
  toEventRecord,
  type EventRecord,
  type EventHead,
  type EventsTable,
  ValidationError,
  type WorkflowStore,
  workflowStore,
} from "@cloacina/engine";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { migrateSqlite } from "./migrations.js";
import { type SqliteOps, sqliteOps } from "./sqlite-ops.js";
import { type SqliteQueries, sqliteQueries } from "./sqlite-queries.js";
import type { SqliteConfig } from "./url.js";

/**
 * The SQLite store. The engine's step plan runs inside one `BEGIN IMMEDIATE` transaction; since
 * better-sqlite3 is synchronous, the transaction runs to completion without yielding, so nothing
 * interleaves with it in this process, and the immediate lock serialises it against other
 * processes on the same file.
 */
// The schedule methods come from the engine's shared kysely implementation (see the constructor).
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface SqliteStore extends ScheduleStore, WorkflowStore {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class SqliteStore implements Store {
  readonly #sqlite: BetterSqlite3.Database;
  readonly #db: Kysely<Database>;
  #q: SqliteQueries | undefined;
  #opsCache: SqliteOps | undefined;

  constructor(config: SqliteConfig) {
    this.#sqlite = new BetterSqlite3(config.filename);
    this.#sqlite.pragma(`busy_timeout = ${config.busyTimeoutMs}`);
    if (config.filename !== ":memory:") this.#sqlite.pragma("journal_mode = WAL");
    this.#sqlite.pragma(`synchronous = ${config.synchronous}`);
    this.#db = new Kysely<Database>({ dialect: new SqliteDialect({ database: this.#sqlite }) });
    Object.assign(this, scheduleStore(this.#db), workflowStore(this.#db));
  }

  async migrate(): Promise<void> {
    await migrateSqlite(this.#db);
    this.#q = sqliteQueries(this.#db, this.#sqlite);
  }

  get #queries(): SqliteQueries {
    if (!this.#q) throw new Error("SqliteStore used before migrate()");
    return this.#q;
  }

  // The methods are `async` so that a failure becomes a rejected promise, as the contract says.
  async step(request: StepRequest): Promise<StepResult> {
    return this.#transaction(stepPlan(request));
  }

  async renewLeases(owner: string, expiresAt: number): Promise<void> {
    this.#queries.renewLeases.run(expiresAt, owner);
  }

  async recoverLeases(now: number, deadOwners: readonly string[]): Promise<RecoveryResult> {
    return this.#transaction(recoverLeasesPlan(now, deadOwners));
  }

  async failRuns(runs: readonly { runId: string; error: StoredError }[], now: number): Promise<void> {
    this.#transaction(failRunsPlan(runs, now));
  }

  async retryRun(runId: string, tasks: readonly TaskReset[], now: number): Promise<boolean> {
    return this.#transaction(retryRunPlan(runId, tasks, now));
  }

  async counts(): Promise<{ runs: Record<RunStatus, number>; readyTasks: number; runningTasks: number }> {
    return countsQuery(this.#db);
  }

  async listRuns(filter: RunFilter): Promise<RunSummary[]> {
    return (await listRunsQuery(this.#db, filter).execute()).map(toRunSummary);
  }

  /** Runs an engine plan in one `BEGIN IMMEDIATE` transaction, each operation a prepared statement. */
  #transaction<T>(plan: Plan<T>): T {
    const ops = this.#ops;
    return this.#sqlite.transaction(() => runPlanSync(plan, (op, args) => ops[op](args as never) as never)).immediate();
  }

  get #ops(): SqliteOps {
    return (this.#opsCache ??= sqliteOps(this.#queries));
  }

  async leaseOwners(): Promise<string[]> {
    const rows = this.#queries.leaseOwners.all<{ lease_owner: string | null }>();
    return rows.flatMap((r) => (r.lease_owner === null ? [] : [r.lease_owner]));
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const row = this.#queries.getRun.get<RunsTable>(runId);
    return row && toRunRecord(row);
  }

  async getTasks(runId: string): Promise<TaskRecord[]> {
    return this.#queries.getTasks
      .all<TaskRunsRow>(runId)
      .sort((a, b) => a.position - b.position)
      .map(toTaskRecord);
  }

  async getAttempts(runId: string): Promise<AttemptRecord[]> {
    return this.#queries.getAttempts.all<TaskAttemptsTable>(runId).map(toAttemptRecord);
  }

  async loadRunStates(
    runIds: readonly string[],
  ): Promise<Map<string, { input: string; outputs: Map<string, string> }>> {
    const ids = JSON.stringify(runIds);
    const states = new Map<string, { input: string; outputs: Map<string, string> }>();
    for (const row of this.#queries.runInputs.all<{ run_id: string; input: string }>(ids)) {
      states.set(row.run_id, { input: row.input, outputs: new Map() });
    }
    for (const row of this.#queries.completedOutputs.all<{ run_id: string; task_id: string; output: string | null }>(
      ids,
    )) {
      if (row.output !== null) states.get(row.run_id)?.outputs.set(row.task_id, row.output);
    }
    return states;
  }

  async readEvents(after: string | null, limit: number, runId?: string): Promise<EventRecord[]> {
    const from = after === null ? 0 : sqlitePosition(after);
    const rows =
      runId === undefined
        ? this.#queries.eventsAfter.all<EventRow>(from, limit)
        : this.#queries.runEventsAfter.all<EventRow>(runId, from, limit);
    return rows.map((row) => toEventRecord({ ...row, seq: `0-${row.id}` }));
  }

  async eventHead(): Promise<EventHead> {
    // One writer: the newest row is the newest committed event.
    const id = this.#queries.eventHead.get<{ id: number | null }>()?.id ?? null;
    return { after: id === null ? null : `0-${id}` };
  }

  async unfinishedRuns(): Promise<RunSummary[]> {
    return this.#queries.unfinishedRuns.all<RunsTable>().map(toRunSummary);
  }

  async close(): Promise<void> {
    // Kysely's destroy closes the better-sqlite3 connection it was given.
    await this.#db.destroy();
  }
}

type EventRow = Omit<EventsTable, "id"> & { id: number };

/** The row id in a SQLite event position ("0-<id>"). */
function sqlitePosition(seq: string): number {
  const match = /^0-(\d{1,15})$/.exec(seq);
  if (!match) {
    throw new ValidationError(
      "INVALID_EVENT_POSITION",
      `"${seq}" is not an event position of a SQLite database (they look like "0-42").`,
    );
  }
  return Number(match[1]);
}
