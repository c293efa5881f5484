import { expect } from "vitest";
import type { ConformanceTarget, SchemaShape } from "./harness.js";
import type { CaseFn } from "./index.js";

/**
 * The tables every SQL backend's migrations make, by name: columns, and the indexes made by name
 * (column types and implicit key indexes differ per backend, so they are not compared). kysely's
 * migration bookkeeping is in it too, under the same names on every backend. A migration that
 * changes the schema changes this spec in the same commit.
 */
export const SCHEMA_SPEC: SchemaShape = {
  tables: {
    cloacina_runs: {
      columns: [
        "run_id",
        "workflow_name",
        "workflow_version",
        "status",
        "input",
        "cancel_requested",
        "unfinished",
        "failed",
        "created_at",
        "finished_at",
        "idempotency_key",
        "error",
        "deadline",
        "parent_run_id",
        "parent_task_id",
      ],
      indexes: [
        "cloacina_runs_deadline",
        "cloacina_runs_parent",
        "cloacina_runs_idempotency_key",
        "cloacina_runs_unfinished",
        "cloacina_runs_created",
        "cloacina_runs_status_created",
        "cloacina_runs_workflow_created",
      ],
    },
    cloacina_task_runs: {
      columns: [
        "run_id",
        "task_id",
        "position",
        "workflow_version",
        "status",
        "attempt",
        "max_attempts",
        "recoveries",
        "pending_deps",
        "failed_deps",
        "skipped_deps",
        "available_at",
        "lease_owner",
        "lease_expires_at",
        "output",
        "error",
        "started_at",
        "finished_at",
        "wait_kind",
        "wake_at",
        "wait_state",
        "calls",
        "instance_of",
        "instance_index",
        "element",
      ],
      indexes: [
        "cloacina_task_runs_instances",
        "cloacina_task_runs_ready",
        "cloacina_task_runs_running",
        "cloacina_task_runs_waiting",
      ],
    },
    cloacina_task_attempts: {
      columns: ["run_id", "task_id", "attempt", "status", "error", "finished_at"],
      indexes: [],
    },
    cloacina_schedules: {
      columns: [
        "id",
        "workflow_name",
        "cron",
        "timezone",
        "context",
        "missed",
        "catch_up_limit",
        "paused",
        "next_fire_at",
        "last_fired_at",
        "created_at",
      ],
      indexes: [],
    },
    cloacina_events: {
      columns: ["id", "run_id", "task_id", "type", "attempt", "at", "data"],
      indexes: ["cloacina_events_run"],
    },
    cloacina_workflows: { columns: ["version", "name", "tasks", "created_at"], indexes: [] },
    cloacina_signals: { columns: ["run_id", "task_id", "key", "payload", "created_at"], indexes: [] },
    cloacina_migrations: { columns: ["name", "timestamp"], indexes: [] },
    cloacina_migrations_lock: { columns: ["id", "is_locked"], indexes: [] },
  },
};

/** The spec plus the target's stated additions, with every list sorted (order is not compared). */
function expected(additions: NonNullable<ConformanceTarget["schemaAdditions"]>): SchemaShape {
  const tables = structuredClone(SCHEMA_SPEC.tables);
  for (const addition of additions) {
    for (const [name, extra] of Object.entries(addition.tables)) {
      const table = (tables[name] ??= { columns: [], indexes: [] });
      table.columns.push(...(extra.columns ?? []));
      table.indexes.push(...(extra.indexes ?? []));
    }
  }
  return sorted({ tables });
}

function sorted(shape: SchemaShape): SchemaShape {
  return {
    tables: Object.fromEntries(
      Object.entries(shape.tables)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, t]) => [name, { columns: [...t.columns].sort(), indexes: [...t.indexes].sort() }]),
    ),
  };
}

export function schemaCases(it: CaseFn, additions: NonNullable<ConformanceTarget["schemaAdditions"]>): void {
  it("migrates to exactly the tables, columns and indexes of the schema spec", async (session) => {
    await session.store();
    expect(sorted(await session.describeSchema())).toEqual(expected(additions));
  });
}
