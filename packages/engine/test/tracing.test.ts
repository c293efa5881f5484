import { trace } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, expect, test } from "vitest";
import { Tracing } from "../src/metrics/tracing.js";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
trace.setGlobalTracerProvider(provider);
afterAll(() => trace.disable());

test("with @opentelemetry/api and an SDK installed: a span per run and per attempt, attempts inside their run", async () => {
  const tracing = await Tracing.load();
  tracing.runStarted("run-1", "etl");
  const ok = tracing.attemptStarted("run-1", "extract", "etl", 1);
  tracing.attemptFinished(ok, "completed");
  const bad = tracing.attemptStarted("run-1", "load", "etl", 1);
  tracing.attemptFinished(bad, "failed", { name: "Error", message: "disk full" });
  tracing.runFinished("run-1", "Failed");

  const spans = exporter.getFinishedSpans();
  const run = spans.find((s) => s.name === "cloacina.run etl")!;
  const extract = spans.find((s) => s.name === "cloacina.task extract")!;
  const load = spans.find((s) => s.name === "cloacina.task load")!;
  expect(run.attributes).toMatchObject({ "cloacina.run_id": "run-1", "cloacina.status": "Failed" });
  expect(run.status.code).toBe(2);
  expect(extract.attributes).toMatchObject({
    "cloacina.task_id": "extract",
    "cloacina.attempt": 1,
    "cloacina.outcome": "completed",
  });
  expect(extract.parentSpanContext?.spanId).toBe(run.spanContext().spanId);
  expect(load.status).toMatchObject({ code: 2, message: "disk full" });
  expect(load.events.map((e) => e.name)).toContain("exception");
});

test("disabled tracing does nothing and costs nothing", () => {
  const tracing = Tracing.disabled();
  tracing.runStarted("r", "w");
  expect(tracing.attemptStarted("r", "t", "w", 1)).toBeUndefined();
  tracing.runFinished("r", "Completed");
});
