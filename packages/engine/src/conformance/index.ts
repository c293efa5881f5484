/**
 * The store conformance suite: every behaviour a backend must have, specified once and run by
 * each backend's tests (`runConformanceSuite({ name, createDatabase })`). Requires vitest.
 */
import { afterEach, beforeEach, describe, test } from "vitest";
import { resetRegistry } from "../registry/registry.js";
import { controlFlowCases } from "./control-flow-cases.js";
import { durabilityCases } from "./durability-cases.js";
import { executionCases } from "./execution-cases.js";
import { failureCases } from "./failure-cases.js";
import { operationsCases } from "./operations-cases.js";
import { scheduleCases } from "./schedule-cases.js";
import { schemaCases } from "./schema-cases.js";
import { type ConformanceTarget, Session } from "./harness.js";
import { storeCases } from "./store-cases.js";
import { waitingCases } from "./waiting-cases.js";
import { mapCases } from "./map-cases.js";
import { eventCases, type TransportUnderTest } from "./event-cases.js";

export {
  defineWorkflow,
  gate,
  until,
  Session,
  type ConformanceDatabase,
  type ConformanceTarget,
  type SchemaShape,
} from "./harness.js";
export { SCHEMA_SPEC } from "./schema-cases.js";
// Hand-built requests for a backend's own plan-level tests (round-trip and statement budgets).
export {
  VERSION as TEST_WORKFLOW_VERSION,
  NOW as TEST_NOW,
  chain as chainRun,
  chainUpToLastTask,
  fanOut as fanOutRun,
  request as stepRequest,
  completed as completedOutcome,
  claimed as claimedTasks,
  observePlans,
} from "./step-requests.js";
export type { TransportUnderTest } from "./event-cases.js";

/** Registers a test, or a skipped one when the target lists it with a reason. */
export type CaseFn = (name: string, body: (session: Session) => Promise<void>) => void;

export function runConformanceSuite(target: ConformanceTarget): void {
  describe(`store conformance: ${target.name}`, () => {
    const it = caseRunner(target);
    describe("execution", () => executionCases(it));
    describe("failures, retries, timeouts and cancellation", () => failureCases(it));
    describe("control flow", () => controlFlowCases(it));
    describe("durability", () => durabilityCases(it));
    describe("operations", () => operationsCases(it));
    describe("schedules", () => scheduleCases(it));
    describe("waiting without a worker", () => waitingCases(it));
    describe("maps and child workflows", () => mapCases(it));
    describe("store contract", () => storeCases(it));
    describe("schema", () => schemaCases(it, target.schemaAdditions ?? []));
    for (const transport of target.eventTransports ?? [{ name: "default", events: undefined }]) {
      describe(`live events (${transport.name} transport)`, () => eventCases(it, transport));
    }
  });
}

/**
 * The live-event cases alone, for one transport on one backend: what a transport package runs
 * (`runEventSuite(target, { name: "redis", events: redisTransport(url) })`).
 */
export function runEventSuite(target: ConformanceTarget, transport: TransportUnderTest): void {
  describe(`live events: ${transport.name} transport on ${target.name}`, () => {
    eventCases(caseRunner(target), transport);
  });
}

/** Registers vitest hooks for the enclosing describe, and returns its test registrar. */
function caseRunner(target: ConformanceTarget): CaseFn {
  let sessions: Session[] = [];
  beforeEach(() => resetRegistry());
  afterEach(async () => {
    await Promise.all(sessions.map((s) => s.dispose()));
    sessions = [];
  });
  const skipped = new Map(target.skip?.flatMap((s) => s.tests.map((t) => [t, s.reason] as const)) ?? []);
  const it: CaseFn = (name, body) => {
    const reason = skipped.get(name);
    if (reason !== undefined) {
      test.skip(`${name} (skipped: ${reason})`, () => {});
      return;
    }
    test(name, async () => {
      const session = new Session(await target.createDatabase());
      sessions.push(session);
      await body(session);
    });
  };
  return it;
}
