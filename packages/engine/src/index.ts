export { task, taskClass, type TaskDecorator } from "./task/task.js";
export type { TaskFunction, TaskRef, TaskDefinition } from "./task/task-definition.js";
export type { TaskOptions, RetryOptions, RetryPolicy, RetryWhen } from "./task/task-options.js";
export type { TriggerRule, Condition } from "./task/trigger-rule.js";
export { retryDelay, isRetryable } from "./task/retry-policy.js";
export { workflow, isWorkflow, type Workflow, type WorkflowOptions } from "./workflow/workflow.js";
export { globalRegistry, resetRegistry, Registry } from "./registry/registry.js";
export { encode, decode, DEFAULT_MAX_CONTEXT_BYTES } from "./marshal/marshal.js";
export { openExecutor, type Executor, type RunHandle, type StartOptions } from "./executor/executor.js";
export type { ExecutorOptions } from "./executor/executor-options.js";
export type { ListRunsOptions } from "./executor/list-runs.js";
export type { ScheduleInfo } from "./schedule/scheduler.js";
export type { ScheduleOptions } from "./schedule/schedule-options.js";
export type { Metrics } from "./executor/executor.js";
export type { DurationSummary, OutcomeCounts } from "./metrics/attempt-stats.js";
export type { RunResult, TaskResult } from "./executor/result.js";
export type { RunDetail, TaskDetail, AttemptDetail } from "./executor/run-detail.js";
export {
  compareSeq,
  RUN_EVENT_TYPES,
  TASK_EVENT_TYPES,
  type ExecutorEvent,
  type EventType,
  type RunEventType,
  type TaskEventType,
  type EventsOptions,
  type EventStream,
} from "./events/event.js";
export { endsRunStream, parseEventsOptions } from "./events/log-stream.js";
export { Doorbell } from "./events/doorbell.js";
export { OpenStreams } from "./events/open-streams.js";
export type { EventLog, EventTransport, EventTransportContext, EventTransportFactory } from "./events/transport.js";
export { createExecutorWith, isBackend, requireUrl, type Backend } from "./backend.js";
export { redactUrls } from "./redact.js";
export { closestMatch } from "./workflow/did-you-mean.js";
export {
  CloacinaError,
  isCloacinaError,
  WorkflowDefinitionError,
  MarshalError,
  DatabaseUrlError,
  BackendNotInstalledError,
  ValidationError,
  TaskFailedError,
  TaskTimeoutError,
  TaskCancelledError,
  ExecutorError,
  type ErrorCode,
} from "./errors.js";
export type * from "./store/store.js";
export type { RunStatus, FinalRunStatus, TaskStatus, Context, TaskRunInfo, StoredError } from "./types.js";
export { FINAL_TASK_STATUSES } from "./types.js";
// For backend authors: the transaction logic of a SQL store, as a plan of row-level operations.
export {
  stepPlan,
  recoverLeasesPlan,
  failRunsPlan,
  retryRunPlan,
  runPlanSync,
  runPlanAsync,
  type Plan,
  type StoreOp,
  type StoreOps,
  type StoreOpName,
  type HeldAttempt,
  type Release,
  type SyncOpRunner,
  type AsyncOpRunner,
} from "./store/step-plan.js";
export type { ScheduleStore } from "./store/tables.js";
export {
  toEventRecord,
  eventColumns,
  workflowStore,
  type WorkflowStore,
  type EventsTable,
  type WorkflowsTable,
} from "./store/event-tables.js";
export type { CloacinaDatabase, RunsTable, TaskRunsTable, TaskAttemptsTable, TaskRunsRow } from "./store/tables.js";
export {
  scheduleStore,
  countsQuery,
  listRunsQuery,
  toRunRecord,
  toTaskRecord,
  toAttemptRecord,
  toRunSummary,
} from "./store/tables.js";
