import type { EventType, WaitKind } from "../events/event.js";
import type { FinalRunStatus, StoredError } from "../types.js";
import { parseInstanceId } from "../map/specs.js";
import type { NewEvent } from "./records.js";

const RUN_FINISHED: Record<FinalRunStatus, EventType> = {
  Completed: "run.completed",
  Failed: "run.failed",
  Cancelled: "run.cancelled",
};

/** The events one store transaction appends, collected as the plan decides each change. */
export class PlanEvents {
  readonly list: NewEvent[] = [];
  readonly #now: number;

  constructor(now: number) {
    this.#now = now;
  }

  run(runId: string, type: EventType, data?: { workflow?: string; error?: StoredError }): void {
    this.list.push({ runId, taskId: null, type, attempt: null, at: this.#now, data: json(data) });
  }

  runFinished(runId: string, status: FinalRunStatus, error?: StoredError): void {
    this.run(runId, RUN_FINISHED[status], error && { error });
  }

  /** An event of a task row: an instance's (`count[3]`) is its mapped task's, with its index. */
  task(
    runId: string,
    rowId: string,
    type: EventType,
    attempt: number | null,
    data?: {
      error?: StoredError;
      retryAt?: number;
      recovered?: boolean;
      waitingFor?: WaitKind;
      until?: number;
      instances?: number;
      childRunId?: string;
    },
  ): void {
    const instance = parseInstanceId(rowId);
    const taskId = instance?.taskId ?? rowId;
    const fields = instance ? { instance: instance.index, ...data } : data;
    this.list.push({ runId, taskId, type, attempt, at: this.#now, data: json(fields) });
  }
}

function json(data: object | undefined): string | null {
  return data === undefined ? null : JSON.stringify(data);
}
