import { redactUrls, type StoreEvent, ValidationError } from "@cloacina/engine";
import {
  type CloacinaDatabase,
  type EventHead,
  type EventReads,
  type EventRecord,
  type EventsTable,
  isSharedOp,
  type NewEvent,
  type Plan,
  type SharedOpName,
  type StoreOpName,
  runPlanAsync,
  runReads,
  scheduleReads,
  sharedSqlOps,
  type SqlOp,
  type StoreDriver,
  type StoreOps,
  toEventRecord,
  workflowReads,
} from "@cloacina/engine/store";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { migrateSchema } from "./migrations.js";
import { encodeNotice, Notifier } from "./notifier.js";
import { eventInsert, pgOpRunner } from "./pg-ops.js";
import { PipelinedTransaction } from "./pipeline.js";
import type { PostgresConfig } from "./url.js";

/** int8 columns (epoch-ms times) come back as numbers, for this pool only (no global parser). */
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === 20
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Operations whose result is nothing: sent without waiting for their answer. */
const RESULTLESS: ReadonlySet<StoreOpName> = new Set<
  {
    [K in StoreOpName]: StoreOps[K]["result"] extends void ? K : never;
  }[StoreOpName]
>(["insertAttempts", "resetTasks", "renewLeases", "saveSchedule", "saveWorkflowVersion"]);

/** Errors worth running the whole transaction again for: deadlock, serialization failure. */
const CONFLICTS = new Set(["40P01", "40001"]);

/**
 * The PostgreSQL driver: one `pg.Pool` per executor, each plan run inside one transaction, and
 * LISTEN/NOTIFY so that workers in other processes wake at once. Reads are the engine's shared
 * kysely ones, but the event log's (positions are (transaction id, row id)).
 */
export class PostgresDriver implements StoreDriver {
  readonly name = "PostgreSQL";
  readonly identity: string;
  readonly #config: PostgresConfig;
  readonly #pool: pg.Pool;
  readonly #db: Kysely<CloacinaDatabase>;
  readonly #channel: string;
  readonly runs;
  readonly schedules;
  readonly workflows;
  readonly events: EventReads;
  #notifier: Notifier | undefined;

  constructor(config: PostgresConfig, onError: (error: unknown) => void = () => {}) {
    this.#config = config;
    const { host, port, database } = config.pool;
    this.identity = `postgres:${String(host)}:${String(port ?? 5432)}/${String(database ?? "")}#${config.schema}`;
    // Pipeline mode: see PipelinedTransaction. Reads await each answer, as without it.
    this.#pool = new pg.Pool({ ...config.pool, types, pipeline: true });
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
    this.#channel = `cloacina_${config.schema}`;
    this.runs = runReads(this.#db);
    this.schedules = scheduleReads(this.#db);
    this.workflows = workflowReads(this.#db);
    this.events = {
      read: (after, limit, runId) => this.#readEvents(after, limit, runId),
      head: () => this.#eventHead(),
    };
  }

  async migrate(): Promise<void> {
    await migrateSchema(this.#db, this.#config.schema);
  }

  /**
   * Runs a plan in one transaction, pipelined (see `PipelinedTransaction`): BEGIN goes with the
   * plan's first statements, an operation whose result the plan does not need is sent without
   * waiting for it, and the plan's events and notices go with COMMIT, in one statement
   * (PostgreSQL delivers the notices only if the transaction commits).
   */
  async transact<T>(plan: Plan<T>): Promise<T> {
    const client = await this.#pool.connect();
    const tx = new PipelinedTransaction(client, this.#config.prepare);
    let broken: Error | undefined;
    try {
      const ops = pgOpRunner(this.#db, tx, this.#config.schema);
      let events: readonly NewEvent[] = [];
      const payloads: string[] = [];
      const result = await runPlanAsync(plan, (op, args) => {
        if (op === "appendEvents") {
          events = (args as StoreOps["appendEvents"]["args"]).events;
          return Promise.resolve(undefined as never);
        }
        if (op === "notify") {
          for (const notice of (args as StoreOps["notify"]["args"]).notices) payloads.push(encodeNotice(notice));
          return Promise.resolve(undefined as never);
        }
        const answer = isSharedOp(op) ? this.#runShared(tx, op, args) : ops(op, args as never);
        if (!RESULTLESS.has(op)) return answer as never;
        answer.catch(() => {}); // its failure is the transaction's: `commit` throws it
        return Promise.resolve(undefined as never);
      });
      if (events.length > 0) payloads.push(encodeNotice({ type: "events" }));
      const notices = sql`select pg_notify(${this.#channel}, p) from unnest(${payloads}::text[]) as p`;
      if (events.length > 0) {
        tx.send(sql`with appended as (${eventInsert(this.#config.schema, events)}) ${notices}`.compile(this.#db));
      } else if (payloads.length > 0) {
        tx.send(notices.compile(this.#db));
      }
      await tx.commit();
      return result;
    } catch (error) {
      // What failed first is the cause; a later statement failed only because of it.
      const cause = tx.failure ?? error;
      await tx.rollback().catch((rollbackFailed: unknown) => {
        broken = rollbackFailed instanceof Error ? rollbackFailed : new Error(String(rollbackFailed));
      });
      throw cause;
    } finally {
      // A client whose rollback failed is in an unknown state: the pool closes it.
      client.release(broken);
    }
  }

  #runShared(tx: PipelinedTransaction, op: SharedOpName, args: unknown): Promise<unknown> {
    const shared = sharedSqlOps[op] as SqlOp<typeof op>;
    return tx.query(shared.query(this.#db, args as never).compile()).then((result) => shared.result(result));
  }

  retryable(error: unknown): "conflict" | "connection" | undefined {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === "string" && CONFLICTS.has(code)) return "conflict";
    return isConnectionError(error) ? "connection" : undefined;
  }

  async #readEvents(after: string | null, limit: number, runId?: string): Promise<EventRecord[]> {
    const position = after === null ? null : pgPosition(after);
    const events = sql.table(`${this.#config.schema}.cloacina_events`);
    const { rows } = await sql<EventRow>`
      select tx::text as tx, id, run_id, task_id, type, attempt, at, data from ${events}
      where tx < pg_snapshot_xmin(pg_current_snapshot())
        ${position === null ? sql`` : sql`and (tx, id) > (${position.tx}::xid8, ${position.id}::bigint)`}
        ${runId === undefined ? sql`` : sql`and run_id = ${runId}`}
      order by tx, id
      limit ${limit}`.execute(this.#db);
    return rows.map((row) => toEventRecord({ ...row, seq: `${row.tx}-${row.id}` }));
  }

  async #eventHead(): Promise<EventHead> {
    const { rows } = await sql<{ snapshot: string }>`select pg_current_snapshot()::text as snapshot`.execute(this.#db);
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
  }

  async listen(onNotice: (notice: StoreEvent) => void): Promise<() => Promise<void>> {
    const notifier = new Notifier(this.#config.pool, this.#channel, onNotice);
    this.#notifier = notifier;
    await notifier.start();
    return () => notifier.stop();
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.#db);
  }

  async close(): Promise<void> {
    await this.#notifier?.stop();
    await this.#db.destroy();
  }
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
