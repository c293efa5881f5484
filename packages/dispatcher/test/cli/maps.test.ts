/**
 * Maps and child runs through the real CLI (subprocesses, SQLite files): the live view's one
 * line per mapped task, `show` with its instances and child runs, and `runs --parent`.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { cli, cliArgs, exec, root, tempDir } from "./harness.js";

vi.setConfig({ testTimeout: 90_000 });

const tmp = tempDir();
afterAll(() => tmp.remove());
const fixture = path.relative(root, path.join(import.meta.dirname, "fixtures", "maps.ts"));
const db = tmp.url("maps.db");
const UUID = "[0-9a-f-]{36}";
let completed: { id: string; stdout: string };

beforeAll(async () => {
  const { code, stdout, stderr } = await cli(["run", fixture, "wordcount", "--db", db]);
  expect(stderr).toBe("");
  expect(code).toBe(0);
  completed = { id: new RegExp(`^run (${UUID}) \\(wordcount\\)`, "m").exec(stdout)![1]!, stdout };
}, 90_000);

describe("cloacina run with a mapped task and child workflow tasks", () => {
  test("a mapped task is one line whose bar fills as its instances end; a child task shows its child run", () => {
    const { stdout } = completed;
    expect(stdout).toContain("  cli.count: mapped over 10 elements\n");
    expect(stdout).toContain("  cli.count: [█░░░░░░░░░] 1/10 done\n");
    expect(stdout).toContain("  cli.count: [██████████] 10/10 done\n");
    expect(stdout).not.toMatch(/cli\.count\[\d+\]/); // no line per instance while they complete
    expect(stdout).toMatch(new RegExp(`^ {2}cli\\.report: waiting for child run ${UUID}$`, "m"));
    expect(stdout).toContain("  cli.shout-each: [██████████] 2/2 done\n");
    expect(stdout).toContain('"total": 55');
    expect(stdout).toContain('"summary": "55 words"');
  });

  test("a failed instance gets its own line, and the bar counts it as failed", async () => {
    const context = JSON.stringify({ n: 30, fail: [3, 25] });
    const { code, stdout, stderr } = await cli(["run", fixture, "wordcount", "--context", context, "--db", db]);
    expect(code).toBe(1);
    expect(stdout).toContain("  cli.count[3]: failed after 2 attempts: text 3 is unreadable\n");
    expect(stdout).toContain("  cli.count[25]: failed after 2 attempts: text 25 is unreadable\n");
    expect(stdout).toContain("  cli.count: [█████████▒] 28/30 done, 2 failed\n");
    expect(stdout).toContain("  cli.total: skipped\n");
    expect(stderr).toContain('2 of 30 instances of task "cli.count" did not complete');

    const id = new RegExp(`^run (${UUID})`, "m").exec(stdout)![1]!;
    const shown = await cli(["show", id, "--db", db]);
    expect(shown.stdout).toMatch(/^cli\.count +Failed +1\/2 +\S+ +cli\.texts +30 instances: 28\/30 done, 2 failed$/m);
    // The first 20 instances, then failed ones further on, then how many were left out.
    const rows = [...shown.stdout.matchAll(/^ {2}(\d+) +(Completed|Failed) +(\d+) /gm)].map((m) => Number(m[1]));
    expect(rows.slice(0, 20)).toEqual([...Array(20).keys()]);
    expect(rows[20]).toBe(25);
    expect(shown.stdout).toMatch(/^ {2}3 +Failed +2 +\S+ +text 3 is unreadable$/m);
    expect(shown.stdout).toContain(`  … 9 more (\`cloacina show ${id} --json\` lists every instance)`);

    const json = JSON.parse((await cli(["show", id, "--json", "--db", db])).stdout);
    const count = json.tasks.find((t: { id: string }) => t.id === "cli.count");
    expect(count.instances).toMatchObject({ total: 30, counts: { Completed: 28, Failed: 2 } });
    expect(count.instances.list).toHaveLength(30);
  });

  test.skipIf(!existsSync("/usr/bin/script"))(
    "on a terminal, the mapped task's line ends with its full bar",
    async () => {
      const args = cliArgs(["run", fixture, "wordcount", "--db", tmp.url("tty.db")]);
      const command = [process.execPath, ...args].map((a) => `'${a}'`).join(" ");
      const { stdout, code } = await exec(
        "/usr/bin/script",
        ["-qec", `stty rows 40 cols 140; ${command}`, "/dev/null"],
        {
          cwd: root,
          env: { ...process.env, NO_COLOR: "1", TERM: "xterm" },
        },
      );
      expect(code).toBe(0);
      expect(stdout).toMatch(/✔ cli\.count +Completed +\[██████████\] 10\/10 done/);
      expect(stdout).toMatch(new RegExp(`✔ cli\\.report +Completed +\\S+ +child run ${UUID}`));
    },
  );
});

describe("cloacina show and runs for parents and children", () => {
  test("show: a mapped task's counts and instances, a child task's run, the run's child runs", async () => {
    const { stdout, code } = await cli(["show", completed.id, "--db", db]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^TASK +STATUS +ATTEMPTS +DURATION +DEPENDS ON +RUNS$/m);
    expect(stdout).toMatch(/^cli\.count +Completed .* 10 instances: 10\/10 done$/m);
    expect(stdout).toMatch(new RegExp(`^cli\\.report +Completed .* child run ${UUID}$`, "m"));
    expect(stdout).toMatch(/^cli\.count 10 instances: 10\/10 done\n {2}INDEX +STATUS +ATTEMPTS +DURATION +ERROR$/m);
    expect(stdout).toMatch(/^ {2}9 +Completed +1 +\d+ms +-$/m);
    expect(stdout).not.toContain("more (");
    expect(stdout).toMatch(/^ {2}INDEX +STATUS +ATTEMPTS +DURATION +CHILD RUN +ERROR$/m);
    expect(stdout).toContain("child runs (3)");
    expect(stdout).toMatch(new RegExp(`^ {2}${UUID} +summary +Completed$`, "m"));
    expect(stdout.match(new RegExp(`^ {2}${UUID} +shout +Completed$`, "gm"))).toHaveLength(2);
  });

  test("show of a child run names its parent run and task (and element)", async () => {
    const detail = JSON.parse((await cli(["show", completed.id, "--json", "--db", db])).stdout);
    const report = detail.tasks.find((t: { id: string }) => t.id === "cli.report");
    const single = await cli(["show", report.childRunId, "--db", db]);
    expect(single.stdout).toMatch(new RegExp(`^parent +${completed.id} \\(task cli\\.report\\)$`, "m"));
    const each = detail.tasks.find((t: { id: string }) => t.id === "cli.shout-each");
    const second = await cli(["show", each.instances.list[1].childRunId, "--db", db]);
    expect(second.stdout).toMatch(new RegExp(`^parent +${completed.id} \\(task cli\\.shout-each, instance 1\\)$`, "m"));
  });

  test("runs --parent lists only that run's children; the listing marks child runs", async () => {
    const children = await cli(["runs", "--parent", completed.id, "--db", db]);
    expect(children.code).toBe(0);
    const lines = children.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^EXECUTION ID +WORKFLOW +STATUS +CREATED +DURATION +PARENT$/);
    expect(lines).toHaveLength(4);
    for (const line of lines.slice(1)) expect(line).toMatch(new RegExp(`↳ child of ${completed.id.slice(0, 8)}$`));

    const json = JSON.parse((await cli(["runs", "--parent", completed.id, "--json", "--db", db])).stdout);
    expect(json.runs.map((r: { workflow: string }) => r.workflow).sort()).toEqual(["shout", "shout", "summary"]);
    expect(json.runs.every((r: { parentRunId: string }) => r.parentRunId === completed.id)).toBe(true);

    const all = await cli(["runs", "--workflow", "wordcount", "--db", db]);
    expect(all.stdout.split("\n")[0]).toMatch(/^EXECUTION ID +WORKFLOW +STATUS +CREATED +DURATION$/); // no child: no column
    const paged = await cli(["runs", "--parent", completed.id, "--limit", "1", "--db", db]);
    expect(paged.stdout).toContain(`more: cloacina runs --parent ${completed.id} --limit 1 --cursor `);
  });
});
