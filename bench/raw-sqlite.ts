import { elapsedMsSync, median, rate, type Rate } from "./measure.js";
import { RawTaskTable } from "./raw-task-table.js";

export interface RawLimits {
  /** Claim and complete, each its own transaction. */
  twoTransactionsPerTask: Rate;
  /** One transaction completes a task and claims the next: the least a sequential chain needs. */
  oneTransactionPerTask: Rate;
  /** 100 tasks claimed and completed in each transaction. */
  hundredTasksPerTransaction: Rate;
}

/** Processes tasks 0..count-1 of a seeded run, in some transaction pattern. */
type Pattern = (table: RawTaskTable, runId: string, count: number) => void;

const twoTransactionsPerTask: Pattern = (table, runId, count) => {
  for (let i = 0; i < count; i++) {
    table.inTransaction(() => table.claim(runId, i));
    table.inTransaction(() => table.complete(runId, i));
  }
};

const oneTransactionPerTask: Pattern = (table, runId, count) => {
  table.inTransaction(() => table.claim(runId, 0));
  for (let i = 0; i < count; i++) {
    table.inTransaction(() => {
      table.complete(runId, i);
      if (i + 1 < count) table.claim(runId, i + 1);
    });
  }
};

const BATCH = 100;
const hundredTasksPerTransaction: Pattern = (table, runId, count) => {
  for (let start = 0; start < count; start += BATCH) {
    table.inTransaction(() => {
      for (let i = start; i < Math.min(start + BATCH, count); i++) {
        table.claim(runId, i);
        table.complete(runId, i);
      }
    });
  }
};

const ROUNDS = 5;

/** Median rate over a few rounds, after one warm-up round; each round has freshly seeded rows. */
async function measurePattern(file: string, pattern: Pattern, tasksPerRound: number): Promise<Rate> {
  const table = await RawTaskTable.create(file);
  try {
    const round = (runId: string) => {
      table.seed(runId, tasksPerRound);
      return elapsedMsSync(() => pattern(table, runId, tasksPerRound));
    };
    round("warm-up");
    const times = Array.from({ length: ROUNDS }, (_, i) => round(`round-${i}`));
    return rate(tasksPerRound, median(times));
  } finally {
    table.close();
  }
}

export async function measureRawLimits(dbFile: (name: string) => string): Promise<RawLimits> {
  return {
    twoTransactionsPerTask: await measurePattern(dbFile("raw-two-tx"), twoTransactionsPerTask, 5_000),
    oneTransactionPerTask: await measurePattern(dbFile("raw-one-tx"), oneTransactionPerTask, 5_000),
    hundredTasksPerTransaction: await measurePattern(dbFile("raw-batched"), hundredTasksPerTransaction, 30_000),
  };
}
