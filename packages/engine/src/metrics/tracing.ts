/**
 * Optional OpenTelemetry spans: one per run started here, one per task attempt run here. The API
 * package is loaded only if the user installed it; without an SDK registered it is a no-op by
 * design, and without the package at all the engine does not trace. Types are structural so the
 * engine does not need the package to compile.
 */
export interface SpanLike {
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(exception: Error | string): unknown;
  end(): void;
}

interface TracerLike {
  startSpan(
    name: string,
    options?: { attributes?: Record<string, string | number | boolean> },
    context?: unknown,
  ): SpanLike;
}

interface OtelApi {
  trace: {
    getTracer(name: string): TracerLike;
    setSpan(context: unknown, span: SpanLike): unknown;
  };
  context: { active(): unknown };
}

/** Status codes of the OpenTelemetry API (SpanStatusCode). */
const OK = 1;
const ERROR = 2;

export class Tracing {
  readonly #api: OtelApi | undefined;
  readonly #tracer: TracerLike | undefined;
  readonly #runSpans = new Map<string, SpanLike>();

  private constructor(api: OtelApi | undefined) {
    this.#api = api;
    this.#tracer = api?.trace.getTracer("cloacina");
  }

  /** Loads `@opentelemetry/api` if it is installed. */
  static async load(): Promise<Tracing> {
    try {
      const api = (await import("@opentelemetry/api")) as OtelApi;
      return new Tracing(api?.trace ? api : undefined);
    } catch {
      return new Tracing(undefined);
    }
  }

  static disabled(): Tracing {
    return new Tracing(undefined);
  }

  runStarted(runId: string, workflow: string): void {
    if (!this.#tracer) return;
    this.#runSpans.set(
      runId,
      this.#tracer.startSpan(`cloacina.run ${workflow}`, {
        attributes: { "cloacina.run_id": runId, "cloacina.workflow": workflow },
      }),
    );
  }

  runFinished(runId: string, status: string): void {
    const span = this.#runSpans.get(runId);
    if (!span) return;
    this.#runSpans.delete(runId);
    span.setAttribute("cloacina.status", status);
    span.setStatus({ code: status === "Failed" || status === "NotStored" ? ERROR : OK });
    span.end();
  }

  /** A span for one attempt (a child of its run's span when the run was started here). */
  attemptStarted(runId: string, taskId: string, workflow: string, attempt: number): SpanLike | undefined {
    if (!this.#tracer || !this.#api) return undefined;
    const parent = this.#runSpans.get(runId);
    const context = parent ? this.#api.trace.setSpan(this.#api.context.active(), parent) : undefined;
    const attributes = {
      "cloacina.run_id": runId,
      "cloacina.task_id": taskId,
      "cloacina.workflow": workflow,
      "cloacina.attempt": attempt,
    };
    return this.#tracer.startSpan(`cloacina.task ${taskId}`, { attributes }, context);
  }

  attemptFinished(span: SpanLike | undefined, outcome: string, error?: { name: string; message: string }): void {
    if (!span) return;
    span.setAttribute("cloacina.outcome", outcome);
    if (error) {
      span.recordException({ name: error.name, message: error.message });
      span.setStatus({ code: ERROR, message: error.message });
    } else {
      span.setStatus({ code: OK });
    }
    span.end();
  }

  /** Ends the spans of runs still open (the executor is closing). */
  close(): void {
    for (const span of this.#runSpans.values()) span.end();
    this.#runSpans.clear();
  }
}
