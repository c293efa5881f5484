import type { TaskOutcome } from "../store/records.js";

/** Outcomes of attempts this executor ran, since it opened. */
export type OutcomeCounts = Record<TaskOutcome["kind"], number>;

export interface DurationSummary {
  /** Samples the percentiles are taken over (the most recent ones, at most `window`). */
  count: number;
  p50: number;
  p95: number;
  max: number;
}

/**
 * Counts attempt outcomes and keeps the most recent durations per task (a fixed-size ring per
 * task, so memory stays bounded however long the executor runs).
 */
export class AttemptStats {
  readonly #window: number;
  readonly #outcomes: OutcomeCounts = {
    completed: 0,
    failed: 0,
    retry: 0,
    skipped: 0,
    cancelled: 0,
    wait: 0,
    expand: 0,
    startChild: 0,
  };
  readonly #durations = new Map<string, { samples: Float64Array; next: number; filled: number }>();

  constructor(window = 512) {
    this.#window = window;
  }

  record(taskId: string, kind: TaskOutcome["kind"], durationMs: number): void {
    this.#outcomes[kind]++;
    if (kind === "skipped") return; // nothing ran
    let ring = this.#durations.get(taskId);
    if (!ring) this.#durations.set(taskId, (ring = { samples: new Float64Array(this.#window), next: 0, filled: 0 }));
    ring.samples[ring.next] = durationMs;
    ring.next = (ring.next + 1) % this.#window;
    ring.filled = Math.min(ring.filled + 1, this.#window);
  }

  outcomes(): OutcomeCounts {
    return { ...this.#outcomes };
  }

  /** Per task, and over all tasks together. */
  durations(): { all: DurationSummary; byTask: Record<string, DurationSummary> } {
    const byTask: Record<string, DurationSummary> = {};
    const all: number[] = [];
    for (const [taskId, ring] of this.#durations) {
      const samples = Array.from(ring.samples.subarray(0, ring.filled));
      byTask[taskId] = summarize(samples);
      all.push(...samples);
    }
    return { all: summarize(all), byTask };
  }
}

function summarize(samples: number[]): DurationSummary {
  if (samples.length === 0) return { count: 0, p50: 0, p95: 0, max: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1]! };
}
