import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, test, vi } from "vitest";
import { cli, cliArgs, CliProcess, exec, fixtureArg, root, tempDir } from "./harness.js";

// Each CLI call starts node with tsx (1-3 s on a busy 2-core machine).
vi.setConfig({ testTimeout: 90_000 });

const tmp = tempDir();
afterAll(() => tmp.remove());
const ESC = "\u001b";

describe("cloacina run <module> <workflow>", () => {
  test("runs a workflow to Completed, one plain line per task change when stdout is a pipe, exit 0", async () => {
    const db = tmp.url("run.db");
    const { code, stdout, stderr } = await cli(["run", fixtureArg, "greet", "--context", '{"name":"ann"}', "--db", db]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const id = /^run ([0-9a-f-]{36}) \(greet\): 2 tasks$/m.exec(stdout)?.[1];
    expect(id).toBeDefined();
    const lines = stdout.split("\n");
    const order = ["  cli.hello: started (attempt 1)", "  cli.shout: started (attempt 1)"].map((l) => lines.indexOf(l));
    expect(order[0]).toBeGreaterThan(0);
    expect(order[1]).toBeGreaterThan(order[0]!);
    expect(stdout).toMatch(/^ {2}cli\.hello: completed in \d+ms$/m);
    expect(stdout).toMatch(/^ {2}cli\.shout: completed in \d+ms$/m);
    expect(stdout).toMatch(new RegExp(`^run ${id} Completed in \\d+`, "m"));
    const context = JSON.parse(stdout.slice(stdout.indexOf("final context:") + "final context:".length));
    expect(context).toEqual({
      name: "ann",
      greeting: "hello ann",
      shouted: "HELLO ANN",
      at: "1970-01-01T00:00:00.000Z",
    });
    expect(stdout).not.toContain(ESC);
  });

  test("a failing workflow exits 1 with the failed task's error, retries and skips shown", async () => {
    const { code, stdout, stderr } = await cli(["run", fixtureArg, "broken", "--db", tmp.url("run.db")]);
    expect(code).toBe(1);
    expect(stdout).toContain("  cli.prepare: completed in");
    expect(stdout).toMatch(/^ {2}cli\.explode: attempt 1\/2 failed: the flux capacitor is empty; retrying in/m);
    expect(stdout).toContain("  cli.explode: failed after 2 attempts: the flux capacitor is empty");
    expect(stdout).toContain("  cli.after: skipped");
    expect(stdout).toMatch(/^run [0-9a-f-]{36} Failed/m);
    expect(stderr).toContain(
      'error [TASK_FAILED]: Task "cli.explode" failed after 2 attempt(s): the flux capacitor is empty',
    );
  });

  test("--json prints the result for scripts and no progress lines; --context @file reads a file", async () => {
    const file = path.join(tmp.dir, "input.json");
    writeFileSync(file, JSON.stringify({ name: "bob" }));
    const { code, stdout } = await cli([
      "run",
      fixtureArg,
      "greet",
      "--context",
      `@${file}`,
      "--json",
      "--db",
      tmp.url("json.db"),
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({
      workflow: "greet",
      status: "Completed",
      finalContext: { shouted: "HELLO BOB" },
      tasks: [
        { id: "cli.hello", status: "Completed", attempts: 1 },
        { id: "cli.shout", status: "Completed", attempts: 1 },
      ],
    });
  });

  test("an unknown workflow name lists the registered ones with a did-you-mean, exit 1", async () => {
    const { code, stderr, stdout } = await cli(["run", fixtureArg, "gret", "--db", tmp.url("run.db")]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain(`error [UNKNOWN_WORKFLOW]: No workflow "gret" in ${fixtureArg}. Did you mean "greet"?`);
    expect(stderr).toContain("Registered workflows: broken, greet, slow.");
  });

  test("a module that does not exist or does not load says which, exit 1", async () => {
    const missing = await cli(["run", "nowhere.ts", "greet", "--db", tmp.url("run.db")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/error \[MODULE_NOT_FOUND\]: No module at .*nowhere\.ts/);
    const broken = path.join(tmp.dir, "broken.ts");
    writeFileSync(broken, "throw new Error('module exploded');\n");
    const failed = await cli(["run", broken, "greet", "--db", tmp.url("run.db")]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("error [MODULE_LOAD_FAILED]");
    expect(failed.stderr).toContain("module exploded");
  });

  test("SIGINT during a run stops, keeps the run stored as Running, says how to resume, exit 130", async () => {
    const db = tmp.url("interrupt.db");
    const until = path.join(tmp.dir, "never");
    const args = ["run", fixtureArg, "slow", "--context", JSON.stringify({ until }), "--grace-ms", "100"];
    const run = new CliProcess([...args, "--db", db]);
    try {
      await run.waitFor(/cli\.wait: started \(attempt 1\)/);
      const [, id] = await run.waitFor(/^run ([0-9a-f-]{36})/m);
      run.child.kill("SIGINT");
      expect(await run.exited).toBe(130);
      expect(run.stderr).toContain("SIGINT: stopping");
      expect(run.stderr).toContain(`Run ${id} stays stored as Running: \`cloacina worker ${fixtureArg}\``);
      const shown = await cli(["show", id!, "--json", "--db", db]);
      expect(JSON.parse(shown.stdout).status).toBe("Running");
    } finally {
      run.kill();
    }
  });

  test.skipIf(!existsSync("/usr/bin/script"))(
    "on a terminal, the task list is redrawn in place and ends showing every task's status",
    async () => {
      // `script` gives the CLI a pseudo-terminal, as an interactive shell would.
      const command = [process.execPath, ...cliArgs(["run", fixtureArg, "greet", "--db", tmp.url("tty.db")])]
        .map((a) => `'${a}'`)
        .join(" ");
      const { stdout, code } = await exec(
        "/usr/bin/script",
        ["-qec", `stty rows 40 cols 120; ${command}`, "/dev/null"],
        {
          cwd: root,
          env: { ...process.env, NO_COLOR: "1", TERM: "xterm" },
        },
      );
      expect(code).toBe(0);
      expect(stdout).toContain(ESC); // cursor movements: redrawn, not appended
      expect(stdout).toMatch(/✔ cli\.hello +Completed/);
      expect(stdout).toMatch(/✔ cli\.shout +Completed/);
      expect(stdout).not.toMatch(/cli\.hello: started/); // the plain-line view is for pipes
      expect(stdout).toContain('"shouted": "HELLO WORLD"');
    },
  );
});
