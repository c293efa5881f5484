import type {
  AttemptRecord,
  ClaimedTask,
  FinalRunStatus,
  RunRecord,
  RunStatus,
  RunSummary,
  StepRequest,
  StepResult,
  Store,
  StoredError,
  TaskOutcome,
  TaskRecord,
  TaskStatus,
} from "@cloacina/engine";
import { ExecutorError } from "@cloacina/engine";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect } from "kysely";
import { migrationProvider } from "./migrations.js";
import type { Selectable } from "kysely";
import type { Database, RunsTable, TaskAttemptsTable, TaskRunsTable as TaskRunsColumns } from "./schema.js";

type TaskRunsTable = Selectable<TaskRunsColumns>;
import { type SqliteQueries, sqliteQueries } from "./sqlite-queries.js";
import type { SqliteConfig } from "./url.js";

/**
 * The SQLite store. better-sqlite3 is synchronous, so each `step` is one `BEGIN IMMEDIATE`
 * transaction run to completion without yielding: nothing can interleave with it in this
 * process, and the immediate lock serialises it against other processes on the same file.
 */
export class SqliteStore implements Store {
  readonly #sqlite: BetterSqlite3.Database;
  readonly #db: Kysely<Database>;
  #q: SqliteQueries | undefined;

  constructor(config: SqliteConfig) {
    this.#sqlite = new BetterSqlite3(config.filename);
    this.#sqlite.pragma(`busy_timeout = ${config.busyTimeoutMs}`);
    if (config.filename !== ":memory:") this.#sqlite.pragma("journal_mode = WAL");
    this.#sqlite.pragma(`synchronous = ${config.synchronous}`);
    this.#db = new Kysely<Database>({ dialect: new SqliteDialect({ database: this.#sqlite }) });
  }

  async migrate(): Promise<void> {
    const { error } = await new Migrator({ db: this.#db, provider: migrationProvider }).migrateToLatest();
    if (error) throw new ExecutorError("STORE_FAILURE", `SQLite migrations failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`, { cause: error });
    this.#q = sqliteQueries(this.#db, this.#sqlite);
  }

  get #queries(): SqliteQueries {
    if (!this.#q) throw new Error("SqliteStore used before migrate()");
    return this.#q;
  }

  // The methods are `async` so that a failure becomes a rejected promise, as the contract says.
  async step(request: StepRequest): Promise<StepResult> {
    return this.#sqlite.transaction(() => this.#step(request)).immediate();
  }

  #step(request: StepRequest): StepResult {
    const q = this.#queries;
    const { now, owner } = request;
    const counts = new RunCounts();
    for (const run of request.newRuns) {
      q.insertRun.run(run.runId, run.workflowName, run.workflowVersion, run.input, run.tasks.length, now);
      for (const t of run.tasks) {
        const status = t.pendingDependencies === 0 ? "Ready" : "Pending";
        q.insertTask.run(
          run.runId,
          t.taskId,
          t.position,
          run.workflowVersion,
          status,
          t.maxAttempts,
          t.pendingDependencies,
          now,
        );
      }
    }
    let stale = 0;
    for (const outcome of request.outcomes) {
      if (!this.#applyOutcome(outcome, owner, now, counts)) stale++;
    }
    for (const runId of request.cancelRuns) {
      if (q.requestCancel.run(runId).changes === 0) continue;
      counts.add(runId, q.cancelWaitingTasks.run(now, runId).changes, 0);
    }
    const finishedRuns = this.#settle(counts, now);
    const claimed = this.#claim(request, now);
    let nextAvailableAt: number | null = null;
    if (request.claim.limit > 0 && claimed.length < request.claim.limit) {
      nextAvailableAt =
        q.nextAvailableAt.get<{ at: number | null }>(now, JSON.stringify(request.claim.workflowVersions))?.at ?? null;
    }
    return { claimed, finishedRuns, staleOutcomes: stale, nextAvailableAt };
  }

  /** Applies one outcome; false when its claim is no longer held (stale). */
  #applyOutcome(outcome: TaskOutcome, owner: string, now: number, counts: RunCounts): boolean {
    const q = this.#queries;
    const { runId, taskId, attempt } = outcome;
    switch (outcome.kind) {
      case "completed": {
        if (q.finishTask.run("Completed", outcome.output, null, now, runId, taskId, attempt, owner).changes === 0)
          return false;
        if (outcome.children.length > 0) q.releaseChildren.run(now, runId, JSON.stringify(outcome.children));
        counts.add(runId, 1, 0);
        return true;
      }
      case "failed": {
        const error = JSON.stringify(outcome.error);
        if (q.finishTask.run("Failed", null, error, now, runId, taskId, attempt, owner).changes === 0) return false;
        q.insertAttempt.run(runId, taskId, attempt, "Failed", error, now);
        const skipped =
          outcome.descendants.length > 0 ? q.skipTasks.run(now, runId, JSON.stringify(outcome.descendants)).changes : 0;
        counts.add(runId, 1 + skipped, 1);
        return true;
      }
      case "retry": {
        const error = JSON.stringify(outcome.error);
        if (q.retryTask.run(outcome.availableAt, error, runId, taskId, attempt, owner).changes === 0) return false;
        q.insertAttempt.run(runId, taskId, attempt, "Failed", error, now);
        return true;
      }
      case "cancelled": {
        const error = JSON.stringify(outcome.error);
        if (q.finishTask.run("Cancelled", null, error, now, runId, taskId, attempt, owner).changes === 0) return false;
        q.insertAttempt.run(runId, taskId, attempt, "Cancelled", error, now);
        counts.add(runId, 1, 0);
        return true;
      }
    }
  }

  /** Counts finished tasks down on their runs; a run reaching zero gets its final status. */
  #settle(counts: RunCounts, now: number): { runId: string; status: FinalRunStatus }[] {
    const q = this.#queries;
    const finished: { runId: string; status: FinalRunStatus }[] = [];
    for (const [runId, { finished: n, failed }] of counts) {
      const row = q.countDown.get<Pick<RunsTable, "unfinished" | "failed" | "cancel_requested" | "status">>(
        n,
        failed,
        runId,
      );
      if (!row || row.unfinished > 0 || row.status !== "Running") continue;
      const status: FinalRunStatus = row.cancel_requested ? "Cancelled" : row.failed > 0 ? "Failed" : "Completed";
      q.finishRun.run(status, now, runId);
      finished.push({ runId, status });
    }
    return finished;
  }

  #claim(request: StepRequest, now: number): ClaimedTask[] {
    const { limit, leaseMs, workflowVersions } = request.claim;
    if (limit <= 0 || workflowVersions.length === 0) return [];
    const rows = this.#queries.claim.all<
      Pick<TaskRunsTable, "run_id" | "task_id" | "workflow_version" | "attempt" | "max_attempts" | "recoveries">
    >(request.owner, now + leaseMs, now, JSON.stringify(workflowVersions), limit);
    return rows.map((r) => ({
      runId: r.run_id,
      taskId: r.task_id,
      workflowVersion: r.workflow_version,
      attempt: r.attempt,
      maxAttempts: r.max_attempts,
      recoveries: r.recoveries,
    }));
  }

  async renewLeases(owner: string, expiresAt: number): Promise<void> {
    this.#queries.renewLeases.run(expiresAt, owner);
  }

  async recoverLeases(now: number, deadOwners: readonly string[]): Promise<number> {
    const q = this.#queries;
    const recovered = this.#sqlite
      .transaction(() => {
        const rows = q.recoverLeases.all<{ run_id: string }>(now, JSON.stringify(deadOwners));
        // A recovered task of a cancelled run must not run again: cancel it, and settle the run.
        const counts = new RunCounts();
        for (const runId of new Set(rows.map((r) => r.run_id))) {
          if (q.isCancelRequested.get<{ cancel_requested: number }>(runId)?.cancel_requested) {
            counts.add(runId, q.cancelWaitingTasks.run(now, runId).changes, 0);
          }
        }
        this.#settle(counts, now);
        return rows.length;
      })
      .immediate();
    return recovered;
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
    return this.#queries.getTasks.all<TaskRunsTable>(runId).map(toTaskRecord);
  }

  async getAttempts(runId: string): Promise<AttemptRecord[]> {
    return this.#queries.getAttempts.all<TaskAttemptsTable>(runId).map((r) => ({
      taskId: r.task_id,
      attempt: r.attempt,
      status: r.status as AttemptRecord["status"],
      error: JSON.parse(r.error) as StoredError,
      finishedAt: r.finished_at,
    }));
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

  async unfinishedRuns(): Promise<RunSummary[]> {
    const rows =
      this.#queries.unfinishedRuns.all<Pick<RunsTable, "run_id" | "workflow_name" | "workflow_version" | "status">>();
    return rows.map((r) => ({
      runId: r.run_id,
      workflowName: r.workflow_name,
      workflowVersion: r.workflow_version,
      status: r.status as RunStatus,
    }));
  }

  async close(): Promise<void> {
    // Kysely's destroy closes the better-sqlite3 connection it was given.
    await this.#db.destroy();
  }
}

/** Per-run tallies of tasks that reached a final status in one transaction. */
class RunCounts extends Map<string, { finished: number; failed: number }> {
  add(runId: string, finished: number, failed: number): void {
    const entry = this.get(runId);
    if (entry) {
      entry.finished += finished;
      entry.failed += failed;
    } else {
      this.set(runId, { finished, failed });
    }
  }
}

function toRunRecord(row: RunsTable): RunRecord {
  return {
    runId: row.run_id,
    workflowName: row.workflow_name,
    workflowVersion: row.workflow_version,
    status: row.status as RunStatus,
    input: row.input,
    cancelRequested: row.cancel_requested === 1,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

function toTaskRecord(row: TaskRunsTable): TaskRecord {
  return {
    taskId: row.task_id,
    status: row.status as TaskStatus,
    attempt: row.attempt,
    maxAttempts: row.max_attempts,
    recoveries: row.recoveries,
    output: row.output,
    error: row.error === null ? null : (JSON.parse(row.error) as StoredError),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}
