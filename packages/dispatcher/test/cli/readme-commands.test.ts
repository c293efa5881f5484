/**
 * The README's command-line block, run line by line as written (from the repository root), so
 * the README cannot drift from the CLI or from examples/. It is read from README.md, not copied.
 *
 * Where a line cannot run literally in a test, the test says why and changes only that:
 * - `npx cloacina` runs the link npm made, node_modules/.bin/cloacina (what npx runs here), because
 *   npx does not pass SIGTERM on to the command, so a worker under npx could not be stopped;
 *   `npx cloacina --help` itself is run as written below.
 * - `CLOACINA_DATABASE_URL` points at a temporary file instead of examples/cloacina.db, so a
 *   test never changes a developer's database (the README's value is checked).
 * - `<id>` is a run the earlier lines are about: `show` the run `run` made; `retry` needs a Failed
 *   or Cancelled run, which the test makes (started and cancelled through the API).
 * - `dashboard` gets `--port 0`: 7420 may be taken on a test machine.
 * Long-running commands (worker, dashboard) are stopped with SIGTERM once they did their part.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { createExecutor } from "cloacina";
import { afterAll, expect, test, vi } from "vitest";
import { etl } from "../../../../examples/workflows.js";
import { CliProcess, type CliResult, exec, root, tempDir } from "./harness.js";

vi.setConfig({ testTimeout: 180_000 });

const tmp = tempDir();
afterAll(() => tmp.remove());
const link = path.join(root, "node_modules/.bin/cloacina");

/** The lines of the first `sh` block after the README's "### Command line" heading. */
function readmeCliLines(): string[] {
  const readme = readFileSync(path.join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("\n### Command line\n"));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error('README.md has no ```sh block under "### Command line"');
  return block.split("\n").filter((line) => line.trim() !== "");
}

/** A shell line's words: single or double quotes group, `#` after a space starts a comment. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const [token] of line.matchAll(/'[^']*'|"[^"]*"|\S+/g)) {
    if (token.startsWith("#")) break;
    out.push(/^(['"]).*\1$/.test(token) ? token.slice(1, -1) : token);
  }
  return out;
}

test("`npx cloacina --help` works in a checkout after `npm install`, without a build", async () => {
  const { code, stdout } = await exec("npx", ["cloacina", "--help"], { cwd: path.join(root, "examples") });
  expect(code).toBe(0);
  expect(stdout).toContain("Usage: cloacina [options] [command]");
});

test("the README's command-line block runs as written", async () => {
  const lines = readmeCliLines();
  expect(lines.length).toBeGreaterThan(3);
  let cwd = root;
  const env: Record<string, string> = {};
  const ran: string[] = [];
  let completedId: string | undefined;
  let cancelledId: string | undefined;
  const db = tmp.url("readme.db");

  /** A Cancelled run of the examples' etl, for `retry <id>`. */
  async function cancelledRun(): Promise<string> {
    const client = await createExecutor(db, { runTasks: false });
    try {
      const handle = await client.start(etl, { source: "cancelled" });
      await handle.cancel();
      expect(await handle.status()).toBe("Cancelled");
      return handle.executionId;
    } finally {
      await client.close();
    }
  }

  for (const line of lines) {
    const [command, ...args] = words(line);
    if (command === "cd") {
      cwd = path.resolve(cwd, args[0]!);
      continue;
    }
    if (command === "export") {
      const [name, value] = args[0]!.split("=") as [string, string];
      expect({ name, value }).toEqual({ name: "CLOACINA_DATABASE_URL", value: "sqlite://./cloacina.db" });
      env[name] = db;
      continue;
    }
    expect([command, args[0]], line).toEqual(["npx", "cloacina"]);
    const cli = args.slice(1);
    const sub = cli[0]!;
    ran.push(sub);
    const idAt = cli.indexOf("<id>");
    if (idAt >= 0) {
      const id = sub === "show" ? completedId : sub === "retry" ? (cancelledId = await cancelledRun()) : undefined;
      if (id === undefined) throw new Error(`no run to stand for <id> in: ${line}`);
      cli[idAt] = id;
    }
    switch (sub) {
      case "worker": {
        const worker = new CliProcess(cli, { file: link, cwd, env });
        try {
          if (cancelledId !== undefined) await worker.waitFor(new RegExp(`${cancelledId} load: completed`), 60_000);
          else await worker.waitFor(/^worker \S+ on /m);
          worker.child.kill("SIGTERM");
          expect(await worker.exited).toBe(0);
        } finally {
          worker.kill();
        }
        break;
      }
      case "dashboard": {
        const dashboard = new CliProcess([...cli, "--port", "0"], { file: link, cwd, env });
        try {
          const [, url] = await dashboard.waitFor(/^dashboard on (http:\/\/\S+?);/m);
          expect((await fetch(url!)).status).toBe(200);
          dashboard.child.kill("SIGTERM");
          expect(await dashboard.exited).toBe(0);
        } finally {
          dashboard.kill();
        }
        break;
      }
      default: {
        const result: CliResult = await exec(link, cli, { cwd, env: { ...process.env, ...env, NO_COLOR: "1" } });
        expect({ line, code: result.code, stderr: result.stderr }).toEqual({ line, code: 0, stderr: "" });
        if (sub === "run") {
          expect(result.stdout).toMatch(/"total": 6/);
          completedId = /^run ([0-9a-f-]{36}) Completed/m.exec(result.stdout)?.[1];
          expect(completedId).toBeDefined();
        }
        if (sub === "runs") expect(result.stdout).toContain(completedId);
        if (sub === "show") expect(result.stdout).toMatch(/status +Completed/);
        if (sub === "retry") expect(result.stdout).toContain(`run ${cancelledId} is Running again`);
      }
    }
  }
  // The block shows these, and a retried run that a worker then finishes.
  expect(ran).toEqual(expect.arrayContaining(["run", "runs", "show", "retry", "worker", "dashboard"]));
  const client = await createExecutor(db, { runTasks: false });
  try {
    expect(await (await client.get(cancelledId!)).status()).toBe("Completed");
  } finally {
    await client.close();
  }
});
