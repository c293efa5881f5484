import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * One temporary directory for the whole run. Each benchmark gets its own database file in it,
 * and removing the directory also removes the -wal and -shm files SQLite leaves next to them.
 */
export interface BenchDir {
  /** Absolute path of a fresh database file named after `name`. */
  readonly dbFile: (name: string) => string;
  readonly remove: () => void;
}

export function createBenchDir(): BenchDir {
  const dir = mkdtempSync(path.join(tmpdir(), "cloacina-bench-"));
  return {
    dbFile: (name) => path.join(dir, `${name}.db`),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
