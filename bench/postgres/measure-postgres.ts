import type { Rate } from "../measure.js";
import { type CloacinaLatency, measureCloacinaLatency } from "./cloacina-latency.js";
import { measureOneProcess, measureWorkers } from "./cloacina-throughput.js";
import { measureCloacinaWaitRoundTrip } from "./cloacina-waiting.js";
import { measureCloacinaConcurrent, measureCloacinaSequential } from "./cloacina-workflows.js";
import type { RoundTrip } from "../waiting.js";
import { type DbosFigure, type DbosResults, dbosVersion, measureDbos } from "./dbos.js";
import type { DbosShape } from "./dbos-process.js";
import { measureGraphileLatency } from "./graphile-latency.js";
import { type GraphileSettings, measureGraphile } from "./graphile.js";
import type { PeerDrain } from "./peer-drain.js";
import type { Latency } from "./percentiles.js";
import type { MapResults } from "../maps.js";
import { measurePostgresMaps } from "./maps-postgres.js";
import { measurePgBoss, type PgBossSettings } from "./pg-boss.js";
import { measureRawVariant, RAW_VARIANTS, type RawVariant } from "./raw-skip-locked.js";

/** A peer configuration that has not finished by then is reported as timed out. */
export const PEER_CAP_MS = 45_000;

export interface PostgresResults {
  cloacina: { wide1: Rate; wide4: Rate; single1: Rate; single4: Rate };
  latency: CloacinaLatency;
  raw: { variant: RawVariant; rate: Rate }[];
  graphile: Record<GraphileSettings, PeerDrain> & { latency: Latency };
  pgBoss: Record<PgBossSettings, PeerDrain>;
  /** Three-task workflows, Cloacina vs DBOS Transact (and DBOS's wide workflow vs Cloacina's wide run). */
  workflows: { sequentialMs: number; concurrent: Rate; dbos: DbosResults };
  /** a → b vs a → sleep → b (see ../waiting.ts). */
  waiting: RoundTrip;
  /** A map vs a static fan-out, child runs vs independent runs, a map's heap (see ../maps.ts). */
  maps: MapResults;
}

/** Tells on stderr what is running (stdout holds only the report). */
export type Stage = <T>(name: string, measure: () => Promise<T>) => Promise<T>;

/** Every PostgreSQL figure, one after another (never two at once: they share 2 cores). */
export async function measurePostgres(stage: Stage): Promise<PostgresResults> {
  const wide1 = await stage("PostgreSQL: Cloacina, wide run, 1 process", () => measureOneProcess("wide"));
  const wide4 = await stage("PostgreSQL: Cloacina, wide run, 4 workers", () => measureWorkers("wide"));
  const single1 = await stage("PostgreSQL: Cloacina, one-task runs, 1 process", () => measureOneProcess("single"));
  const single4 = await stage("PostgreSQL: Cloacina, one-task runs, 4 workers", () => measureWorkers("single"));
  const latency = await stage("PostgreSQL: Cloacina latency", measureCloacinaLatency);
  const raw: PostgresResults["raw"] = [];
  for (const variant of RAW_VARIANTS) {
    const name = `PostgreSQL: raw SKIP LOCKED, ${variant.connections} conn × ${variant.batch}`;
    raw.push({ variant, rate: await stage(name, () => measureRawVariant(variant)) });
  }
  const graphile = {
    default: await stage("graphile-worker, defaults", () => measureGraphile("default", PEER_CAP_MS)),
    highThroughput: await stage("graphile-worker, high throughput", () =>
      measureGraphile("highThroughput", PEER_CAP_MS),
    ),
    latency: await stage("graphile-worker latency", measureGraphileLatency),
  };
  const pgBoss = {
    default: await stage("pg-boss, defaults", () => measurePgBoss("default", PEER_CAP_MS)),
    batch: await stage("pg-boss, batch fetching", () => measurePgBoss("batch", PEER_CAP_MS)),
  };
  const workflows = await measureWorkflows(stage);
  const waiting = await stage("PostgreSQL: Cloacina, a → sleep → b vs a → b", measureCloacinaWaitRoundTrip);
  const maps = await measurePostgresMaps(stage);
  return { cloacina: { wide1, wide4, single1, single4 }, latency, raw, graphile, pgBoss, workflows, waiting, maps };
}

/**
 * Cloacina's three-task chain beside DBOS's three-step workflow, each pair measured back to back
 * (the shared machine drifts over minutes). DBOS is skipped once its first figure fails.
 */
async function measureWorkflows(stage: Stage): Promise<PostgresResults["workflows"]> {
  const version = dbosVersion();
  const dbos = (name: string, shape: DbosShape): Promise<DbosFigure> =>
    stage(`PostgreSQL: DBOS ${version}, ${name}`, () => measureDbos(shape));
  const sequentialMs = await stage(
    "PostgreSQL: Cloacina, 3-task workflows one after another",
    measureCloacinaSequential,
  );
  // When the first figure fails (not installed, cannot launch), the others would fail alike.
  const sequential: DbosFigure =
    version === undefined
      ? { measured: false, reason: "@dbos-inc/dbos-sdk is not installed" }
      : await dbos("3-step workflows one after another", "sequential");
  const concurrent = await stage("PostgreSQL: Cloacina, 3-task workflows at once", measureCloacinaConcurrent);
  const concurrentDbos = sequential.measured ? await dbos("3-step workflows at once", "concurrent") : sequential;
  const wide = sequential.measured ? await dbos("one workflow of 20,000 concurrent steps", "wide") : sequential;
  return { sequentialMs, concurrent, dbos: { version, sequential, concurrent: concurrentDbos, wide } };
}
