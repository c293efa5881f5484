import {
  type AttemptRecord,
  type CloacinaDatabase,
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
  redactUrls,
  type RecoveryResult,
  type RunRecord,
  type RunSummary,
  runPlanAsync,
  type StepRequest,
  type StepResult,
  stepPlan,
  type Store,
  type StoreEvent,
  type TaskRecord,
  toAttemptRecord,
  toRunRecord,
  toRunSummary,
  toTaskRecord,
  toEventRecord,
  type EventRecord,
  type EventHead,
  type NewEvent,
  type StoreOps,
  type EventsTable,
  ValidationError,
  type WorkflowStore,
  workflowStore,
} from "@cloacina/engine";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { migrateSchema } from "./migrations.js";
import { Notifier } from "./notifier.js";
import { eventInsert, pgOpRunner } from "./pg-ops.js";
import type { PostgresConfig } from "./url.js";

/** int8 columns (epoch-ms times) come back as numbers, for this pool only (no global parser). */
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === 20
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Errors worth retrying the whole transaction for: deadlock, serialization failure. */
const RETRYABLE = new Set(["40P01", "40001"]);

/**
 * The PostgreSQL store: one `pg.Pool` per executor, the engine's step plan run inside one
 * transaction per step, and LISTEN/NOTIFY so that workers in other processes wake at once.
 */
// The schedule methods come from the engine's shared kysely implementation (see the constructor).
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface PostgresStore extends ScheduleStore, WorkflowStore {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class PostgresStore implements Store {
  readonly #config: PostgresConfig;
  readonly #pool: pg.Pool;
  readonly #db: Kysely<CloacinaDatabase>;
  readonly #channel: string;
  #notifier: Notifier | undefined;

  constructor(config: PostgresConfig, onError: (error: unknown) => void = () => {}) {
    this.#config = config;
    this.#pool = new pg.Pool({ ...config.pool, types });
    // An idle client whose server went away emits here; without a listener it would crash the
    // process. The pool drops it and opens a new one on demand.
    this.#pool.on("error", (error) => onError(new Error(redactUrls(`PostgreSQL pool: ${error.message}`))));
    // A checked-out client whose connection dies between two statements emits "error" too, and
    // the pool only listens to idle ones: without this, a terminated backend crashes the process.
    // The statement in flight (or the next one) fails, and the step is retried.
    this.#pool.on("connect", (client) => {
      client.on("error", () => {});
    });
    this.#db = new Kysely<CloacinaDatabase>({ dialect: new PostgresDialect({ pool: this.#pool }) }).withSchema(
      config.schema,
    );
    Object.assign(this, scheduleStore(this.#db), workflowStore(this.#db));
    this.#channel = `cloacina_${config.schema}`;
  }

  async migrate(): Promise<void> {
    await migrateSchema(this.#db, this.#config.schema);
  }

  async step(request: StepRequest): Promise<StepResult> {
    return this.#transaction(
      () => stepPlan(request),
      (result) => notices(request, result),
    );
  }

  async recoverLeases(now: number, deadOwners: readonly string[]): Promise<RecoveryResult> {
    return this.#transaction(
      () => recoverLeasesPlan(now, deadOwners),
      (r) => [
        ...(r.recovered > 0 ? ["ready:"] : []),
        ...r.finishedRuns.map(({ runId, status }) => `finished:${status}:${runId}`),
      ],
    );
  }

  async failRuns(runs: readonly { runId: string; error: StoredError }[], now: number): Promise<void> {
    await this.#transaction(
      () => failRunsPlan(runs, now),
      (failed) => failed.map((runId) => `finished:Failed:${runId}`),
    );
  }

  async retryRun(runId: string, tasks: readonly TaskReset[], now: number): Promise<boolean> {
    return this.#transaction(
      () => retryRunPlan(runId, tasks, now),
      (reopened) => (reopened ? ["ready:"] : []),
    );
  }

  counts(): Promise<{ runs: Record<RunStatus, number>; readyTasks: number; runningTasks: number }> {
    return this.#read(async () => {
      return countsQuery(this.#db);
    });
  }

  listRuns(filter: RunFilter): Promise<RunSummary[]> {
    return this.#read(async () => {
      return (await listRunsQuery(this.#db, filter).execute()).map(toRunSummary);
    });
  }

  /**
   * Runs a plan in one transaction; `notify` names the notices to send, which PostgreSQL delivers
   * only if the transaction commits. Deadlocks and serialization failures are retried.
   */
  async #transaction<T>(plan: () => Plan<T>, notify: (result: T) => string[]): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#db.transaction().execute(async (trx) => {
          const ops = pgOpRunner(trx, this.#config.schema);
          // Events are the plan's last write: they go out with the notices, in one statement.
          let events: readonly NewEvent[] = [];
          const result = await runPlanAsync(plan(), (op, args) => {
            if (op !== "appendEvents") return ops(op, args);
            events = (args as StoreOps["appendEvents"]["args"]).events;
            return Promise.resolve();
          });
          const payloads = notify(result);
          if (events.length > 0) payloads.push("events:");
          const notices = sql`select pg_notify(${this.#channel}, p) from unnest(${payloads}::text[]) as p`;
          if (events.length > 0) {
            await sql`with appended as (${eventInsert(this.#config.schema, events)}) ${notices}`.execute(trx);
          } else if (payloads.length > 0) {
            await notices.execute(trx);
          }
          return result;
        });
      } catch (error) {
        if (attempt < 5 && RETRYABLE.has((error as { code?: string }).code ?? "")) continue;
        throw error;
      }
    }
  }

  readEvents(after: string | null, limit: number, runId?: string): Promise<EventRecord[]> {
    const position = after === null ? null : pgPosition(after);
    return this.#read(async () => {
      const events = sql.table(`${this.#config.schema}.cloacina_events`);
      const { rows } = await sql<EventRow>`
        select tx::text as tx, id, run_id, task_id, type, attempt, at, data from ${events}
        where tx < pg_snapshot_xmin(pg_current_snapshot())
          ${position === null ? sql`` : sql`and (tx, id) > (${position.tx}::xid8, ${position.id}::bigint)`}
          ${runId === undefined ? sql`` : sql`and run_id = ${runId}`}
        order by tx, id
        limit ${limit}`.execute(this.#db);
      return rows.map((row) => toEventRecord({ ...row, seq: `${row.tx}-${row.id}` }));
    });
  }

  eventHead(): Promise<EventHead> {
    return this.#read(async () => {
      const { rows } = await sql<{ snapshot: string }>`select pg_current_snapshot()::text as snapshot`.execute(
        this.#db,
      );
      // "xmin:xmax:xip,…": every transaction below xmin has ended; between xmin and xmax, those
      // not listed in xip had committed (or aborted) by now. Reading from xmin and skipping those
      // delivers exactly what commits from now on.
      const [xmin = "0", xmax = "0", xip = ""] = (rows[0]?.snapshot ?? "").split(":");
      const low = BigInt(xmin);
      const high = BigInt(xmax);
      const open = new Set(xip === "" ? [] : xip.split(",").map(BigInt));
      return {
        after: `${xmin}-0`,
        before: (seq: string) => {
          const tx = BigInt(seq.slice(0, seq.indexOf("-")));
          return tx >= low && tx < high && !open.has(tx);
        },
      };
    });
  }

  async listen(onEvent: (event: StoreEvent) => void): Promise<() => Promise<void>> {
    const notifier = new Notifier(this.#config.pool, this.#channel, onEvent);
    this.#notifier = notifier;
    await notifier.start();
    return () => notifier.stop();
  }

  async ping(): Promise<void> {
    await this.#read(() => sql`select 1`.execute(this.#db));
  }

  async renewLeases(owner: string, expiresAt: number): Promise<void> {
    await this.#db
      .updateTable("cloacina_task_runs")
      .set({ lease_expires_at: expiresAt })
      .where("status", "=", "Running")
      .where("lease_owner", "=", owner)
      .execute();
  }

  leaseOwners(): Promise<string[]> {
    return this.#read(async () => {
      const rows = await this.#db
        .selectFrom("cloacina_task_runs")
        .select("lease_owner")
        .distinct()
        .where("status", "=", "Running")
        .execute();
      return rows.flatMap((r) => (r.lease_owner === null ? [] : [r.lease_owner]));
    });
  }

  getRun(runId: string): Promise<RunRecord | undefined> {
    return this.#read(async () => {
      const row = await this.#db.selectFrom("cloacina_runs").selectAll().where("run_id", "=", runId).executeTakeFirst();
      return row && toRunRecord(row);
    });
  }

  getTasks(runId: string): Promise<TaskRecord[]> {
    return this.#read(async () => {
      const rows = await this.#db.selectFrom("cloacina_task_runs").selectAll().where("run_id", "=", runId).execute();
      return rows.sort((a, b) => a.position - b.position).map(toTaskRecord);
    });
  }

  getAttempts(runId: string): Promise<AttemptRecord[]> {
    return this.#read(async () => {
      const rows = await this.#db
        .selectFrom("cloacina_task_attempts")
        .selectAll()
        .where("run_id", "=", runId)
        .orderBy("task_id")
        .orderBy("attempt")
        .execute();
      return rows.map(toAttemptRecord);
    });
  }

  loadRunStates(runIds: readonly string[]): Promise<Map<string, { input: string; outputs: Map<string, string> }>> {
    return this.#read(async () => {
      const states = new Map<string, { input: string; outputs: Map<string, string> }>();
      if (runIds.length === 0) return states;
      const runs = await this.#db
        .selectFrom("cloacina_runs")
        .select(["run_id", "input"])
        .where("run_id", "in", [...runIds])
        .execute();
      for (const row of runs) states.set(row.run_id, { input: row.input, outputs: new Map() });
      const outputs = await this.#db
        .selectFrom("cloacina_task_runs")
        .select(["run_id", "task_id", "output"])
        .where("run_id", "in", [...runIds])
        .where("status", "=", "Completed")
        .execute();
      for (const row of outputs) if (row.output !== null) states.get(row.run_id)?.outputs.set(row.task_id, row.output);
      return states;
    });
  }

  unfinishedRuns(): Promise<RunSummary[]> {
    return this.#read(async () => {
      const rows = await this.#db
        .selectFrom("cloacina_runs")
        .select(["run_id", "workflow_name", "workflow_version", "status", "created_at", "finished_at"])
        .where("status", "=", "Running")
        .orderBy("created_at")
        .execute();
      return rows.map(toRunSummary);
    });
  }

  /**
   * Reads are idempotent: one that hits a connection dying under it (a server restart, a
   * terminated backend) is tried again on a fresh connection, a few times, before failing.
   */
  async #read<T>(query: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await query();
      } catch (error) {
        if (attempt >= 4 || !isConnectionError(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  }

  async close(): Promise<void> {
    await this.#notifier?.stop();
    await this.#db.destroy();
  }
}

/**
 * What other processes need to hear about a step: tasks became ready that this worker left
 * (it claimed as many as it could take), runs that finished, runs that were cancelled.
 */
function notices(request: StepRequest, result: StepResult): string[] {
  const payloads: string[] = [];
  const mayHaveReleased = request.newRuns.length > 0 || request.outcomes.some((o) => o.kind !== "cancelled");
  if (mayHaveReleased && result.claimed.length >= request.claim.limit) payloads.push(`ready:${request.owner}`);
  for (const { runId, status } of result.finishedRuns) payloads.push(`finished:${status}:${runId}`);
  for (const runId of result.cancelled) payloads.push(`cancelled:${runId}`);
  return payloads;
}

/** The connection went away (admin shutdown, crash, network), as opposed to a bad query. */
function isConnectionError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === "string" && (code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03")) {
    return true;
  }
  return (
    typeof message === "string" && /Connection terminated|ECONNRESET|ECONNREFUSED|connection is closed/i.test(message)
  );
}

type EventRow = Omit<EventsTable, "id"> & { id: number; tx: string };

/** The (transaction id, row id) of a PostgreSQL event position "<tx>-<id>". */
function pgPosition(seq: string): { tx: string; id: string } {
  const match = /^(\d{1,20})-(\d{1,19})$/.exec(seq);
  // Beyond xid8's and bigint's ranges PostgreSQL would clamp or fail: such a position never exists.
  if (!match || BigInt(match[1]!) > 2n ** 64n - 1n || BigInt(match[2]!) > 2n ** 63n - 1n) {
    throw new ValidationError(
      "INVALID_EVENT_POSITION",
      `"${seq}" is not an event position of a PostgreSQL database (they look like "7421-42").`,
    );
  }
  return { tx: match[1]!, id: match[2]! };
}
