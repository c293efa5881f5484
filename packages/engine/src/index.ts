/**
 * `@cloacina/engine`: the user API (tasks, workflows, executors, errors) and the types of the
 * store seam. What only backend authors need is in `@cloacina/engine/store`, what transport
 * authors need in `@cloacina/engine/events`, the shared test suite in
 * `@cloacina/engine/conformance`. Every name is listed: the surface is pinned by a test.
 */
export { task, taskClass } from "./task/task.js";
export type { TaskDecorator, TypedTaskOptions } from "./task/task-signature.js";
export type { TaskFunction, TaskRef, TaskDefinition } from "./task/task-definition.js";
export type { TaskDependency, TaskMethod } from "./task/task-reference.js";
export type { TaskTypes, TaskTypesOf } from "./task/context-types.js";
export type { StandardSchemaV1 } from "./schema/standard-schema.js";
export type { WorkflowInput, WorkflowContext } from "./workflow/workflow-types.js";
export type { TaskOptions, RetryOptions, RetryPolicy, RetryWhen } from "./task/task-options.js";
export type { TriggerRule, Condition } from "./task/trigger-rule.js";
export { workflow, isWorkflow, type Workflow, type WorkflowOptions } from "./workflow/workflow.js";
export { sleep, waitForSignal, type SleepOptions, type WaitForSignalOptions } from "./wait/wait-tasks.js";
export { mapTask, type MapTaskOptions, type MapTaskRef, type MapFunction } from "./map/map-task.js";
export { childWorkflow, type ChildWorkflowOptions } from "./map/child-workflow.js";
export { MAX_MAP_LENGTH, type MapRunInfo } from "./map/specs.js";
export type { Duration } from "./wait/duration.js";
export type { CallAgain, CallAgainOptions } from "./wait/wait-request.js";
export { globalRegistry, resetRegistry, type Registry } from "./registry/registry.js";
export {
  openExecutor,
  type Executor,
  type RunHandle,
  type StartOptions,
  type StartArgs,
  type InputOf,
  type ContextOf,
  type SignalOptions,
  type Metrics,
} from "./executor/executor.js";
export type { ExecutorOptions } from "./executor/executor-options.js";
export type { ListRunsOptions } from "./executor/list-runs.js";
export type { ScheduleInfo } from "./schedule/scheduler.js";
export type { ScheduleOptions } from "./schedule/schedule-options.js";
export type { DurationSummary, OutcomeCounts } from "./metrics/attempt-stats.js";
export type { RunResult, TaskResult } from "./executor/result.js";
export type {
  RunDetail,
  TaskDetail,
  AttemptDetail,
  InstancesDetail,
  InstanceDetail,
  ChildRunDetail,
} from "./executor/run-detail.js";
export {
  compareSeq,
  type ExecutorEvent,
  type EventType,
  type WaitKind,
  type RunEventType,
  type TaskEventType,
  type EventsOptions,
  type EventStream,
} from "./events/event.js";
export type { Backend } from "./backend.js";
export { redactUrl, redactUrls } from "./redact.js";
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
export type { RunStatus, FinalRunStatus, TaskStatus, Context, TaskRunInfo, StoredError } from "./types.js";
// The store seam's types (its implementation helpers are in `@cloacina/engine/store`).
export type {
  StoreDriver,
  RunReads,
  RunState,
  StoreCounts,
  ScheduleReads,
  EventReads,
  WorkflowReads,
} from "./store/driver.js";
export type {
  NewTaskRow,
  NewRun,
  TaskOutcome,
  StepRequest,
  ClaimedTask,
  StepResult,
  RecoveryResult,
  RunRecord,
  TaskRecord,
  AttemptRecord,
  RunSummary,
  RunFilter,
  TaskReset,
  StoreEvent,
  NewEvent,
  EventRecord,
  EventHead,
  WorkflowVersionRecord,
  ScheduleRecord,
} from "./store/records.js";
