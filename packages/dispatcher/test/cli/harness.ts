/**
 * Runs the real `cloacina` CLI in a subprocess as `npx cloacina` does in this checkout: node
 * runs the package's bin, the launcher `bin/cloacina.js`, which runs the CLI from source (tsx and
 * the source export condition); cwd at the repository root.
 */
import { type ChildProcess, execFile, type ExecFileOptions, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export const root = path.resolve(import.meta.dirname, "../../../..");
export const fixture = path.join(import.meta.dirname, "fixtures", "workflows.ts");
/** The fixture as a user would type it: relative to the working directory. */
export const fixtureArg = path.relative(root, fixture);
/** The package's `bin` (what node_modules/.bin/cloacina links to). */
export const bin = path.join(root, "packages/dispatcher/bin/cloacina.js");
const NODE_ARGS = [bin];

/** Node's arguments that run `cloacina ...args` from source. */
export function cliArgs(args: string[]): string[] {
  return [...NODE_ARGS, ...args];
}

/** What a user sees in a pipe: no colours forced on. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { FORCE_COLOR: _force, CLOACINA_DATABASE_URL: _db, ...rest } = process.env;
  return { ...rest, NO_COLOR: "1", ...extra };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cloacina ...args` to the end (in `cwd`, by default the repository root). */
export function cli(args: string[], extraEnv: Record<string, string> = {}, cwd = root): Promise<CliResult> {
  return exec(process.execPath, cliArgs(args), { cwd, env: env(extraEnv) });
}

/** Runs a program to the end, with its exit code (never rejects). */
export function exec(file: string, args: string[], options: ExecFileOptions): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(file, args, { ...options, encoding: "utf8" }, (error, stdout, stderr) => {
      const code = error ? (error as { code?: unknown }).code : 0;
      resolve({ code: typeof code === "number" ? code : -1, stdout, stderr });
    });
  });
}

/** A long-running `cloacina ...args` (worker, dashboard) with its output collected as it comes. */
export class CliProcess {
  readonly child: ChildProcess;
  stdout = "";
  stderr = "";
  readonly exited: Promise<number | null>;

  /** `cloacina ...args` through the launcher, or `options.file ...args` (say, the .bin link). */
  constructor(args: string[], options: { file?: string; cwd?: string; env?: Record<string, string> } = {}) {
    const [file, fileArgs] = options.file ? [options.file, args] : [process.execPath, [...NODE_ARGS, ...args]];
    this.child = spawn(file, fileArgs, { cwd: options.cwd ?? root, env: env(options.env) });
    this.child.stdout!.on("data", (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr!.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)));
  }

  /** Waits until stdout matches `pattern`; returns the match. */
  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.stdout);
      if (match) return match;
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(`stdout never matched ${pattern}:\n${this.stdout}\nstderr:\n${this.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}

/** A temporary directory holding SQLite files, removed by the returned cleanup. */
export function tempDir(): { dir: string; url: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), "cloacina-cli-"));
  return {
    dir,
    url: (name) => `sqlite://${path.join(dir, name)}`,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
