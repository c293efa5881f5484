/**
 * `@cloacina/engine/store`: what a backend author needs (see docs/backends.md): the backend
 * descriptor, the plans a driver's `transact` runs and their operations, the kysely table types,
 * and the read parts and operations written once for every SQL backend. Test it with
 * `runConformanceSuite` from `@cloacina/engine/conformance`.
 */
export { createExecutorWith, isBackend, requireUrl, type Backend } from "../backend.js";
export { Store } from "./store.js";
export type {
  StoreDriver,
  RunReads,
  RunState,
  StoreCounts,
  ScheduleReads,
  EventReads,
  WorkflowReads,
} from "./driver.js";
export {
  call,
  op,
  together,
  single,
  runPlanSync,
  runPlanAsync,
  type Plan,
  type StoreOp,
  type StoreBatch,
  type PlanStep,
  type StoreOps,
  type StoreOpName,
  type HeldAttempt,
  type FinishingTask,
  type RunCounters,
  type SyncOpRunner,
  type AsyncOpRunner,
} from "./plan.js";
export { stepPlan, recoverLeasesPlan, failRunsPlan, retryRunPlan, signalPlan } from "./step-plan.js";
export { delivered, refusedByKept, refusedByRow, type SignalTarget } from "./signal-rule.js";
export { instanceTaskId } from "../map/specs.js";
export { runReads, scheduleReads, workflowReads, listRunsQuery } from "./sql-reads.js";
export { sharedSqlOps, isSharedOp, type SharedOpName, type SqlOp } from "./sql-ops.js";
export {
  toRunRecord,
  toTaskRecord,
  toAttemptRecord,
  toRunSummary,
  toScheduleRecord,
  type CloacinaDatabase,
  type RunsTable,
  type TaskRunsTable,
  type TaskAttemptsTable,
  type SchedulesTable,
  type TaskRunsRow,
} from "./tables.js";
export {
  toEventRecord,
  eventColumns,
  type EventsTable,
  type WorkflowsTable,
  type EventTablesDatabase,
} from "./event-tables.js";
export { queryParameterProblem } from "../url-parameters.js";
export type * from "./records.js";
