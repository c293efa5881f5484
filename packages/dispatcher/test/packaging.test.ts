/**
 * "Swap databases by installing a package", as a user would do it: the four packages are built and
 * packed into real tarballs, installed into a fresh project outside the repository (no workspace
 * links, no "@cloacina/source" condition), and one plain-JavaScript quickstart runs there under
 * `node`. This checks the built `exports`, the `files` lists, the dependencies and peer
 * dependencies, and the dispatcher's dynamic import of whichever backend is installed.
 *
 * Slow: the install compiles better-sqlite3 from source (~2 minutes), so there are exactly two
 * installs: cloacina + engine + SQLite backend, then the PostgreSQL backend on top.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { dropSchema, freshSchema, skipPostgres } from "../../backend-postgres/test/pg-test-db.js";

const execFileAsync = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../../..");
const MINUTE = 60_000;

/** Workspace directory → the tarball `npm pack` names after its package.json. */
const PACKAGES = ["engine", "backend-sqlite", "backend-postgres", "dispatcher"] as const;
type PackageDir = (typeof PACKAGES)[number];

function tarballName(dir: PackageDir): string {
  const manifest = JSON.parse(readFileSync(path.join(root, "packages", dir, "package.json"), "utf8")) as {
    name: string;
    version: string;
  };
  return `${manifest.name.replace(/^@/, "").replace("/", "-")}-${manifest.version}.tgz`;
}

/**
 * The environment of a user's fresh shell: none of the `npm_*` variables that `npm run`/`npx`
 * set for vitest (npm_config_local_prefix would point a child npm at the repository) and no
 * NODE_OPTIONS (which could carry `--conditions=@cloacina/source`). npm still reads the user's
 * and the global npmrc itself.
 */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) || key === "NODE_OPTIONS" || key === "INIT_CWD") continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; a non-zero exit is an outcome, not a rejection. */
async function run(
  file: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string>; timeout: number },
): Promise<Outcome> {
  try {
    const { stdout, stderr } = await execFileAsync(file, args, {
      cwd: options.cwd,
      env: userEnv(options.env),
      timeout: options.timeout,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as Error & { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== "number") throw error; // could not start, or killed by the timeout
    return { code: e.code, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

/** Runs a command that must succeed; on failure the error shows its output. */
async function must(file: string, args: string[], options: { cwd: string; timeout: number }): Promise<Outcome> {
  const outcome = await run(file, args, options);
  if (outcome.code !== 0) {
    throw new Error(
      `\`${[file, ...args].join(" ")}\` (in ${options.cwd}) exited with ${outcome.code}\n` +
        `--- stdout\n${outcome.stdout}\n--- stderr\n${outcome.stderr}`,
    );
  }
  return outcome;
}

/**
 * The quickstart a user would write: plain ESM JavaScript, no TypeScript, no decorators. It
 * prints one JSON line, the result or the error, and exits 1 on an error.
 */
const QUICKSTART = `import { createExecutor, task, workflow } from "cloacina";

const extract = task({ id: "extract" }, async (ctx) => ({ rows: [1, 2, 3], fetchedAt: new Date(0) }));
const transform = task({ id: "transform", dependsOn: ["extract"] }, async (ctx) => ({
  total: ctx.rows.reduce((a, b) => a + b, 0),
}));
const load = task({ id: "load", dependsOn: ["transform"] }, async (ctx, run) => {
  run.signal.throwIfAborted();
  return { loaded: ctx.source + ":" + ctx.total, fetchedAtIsDate: ctx.fetchedAt instanceof Date };
});
const etl = workflow({ name: "quickstart", tasks: [extract, transform, load] });

try {
  const executor = await createExecutor(process.env.DB_URL);
  try {
    const result = await executor.execute(etl, { source: "demo" });
    const { total, loaded, fetchedAtIsDate } = result.finalContext;
    const tasks = result.tasks.map((t) => [t.id, t.status]);
    console.log(JSON.stringify({ status: result.status, total, loaded, fetchedAtIsDate, tasks }));
  } finally {
    await executor.close();
  }
} catch (error) {
  console.log(JSON.stringify({ error: { name: error?.name, code: error?.code, message: error?.message } }));
  process.exitCode = 1;
}
`;

const COMPLETED = {
  status: "Completed",
  total: 6,
  loaded: "demo:6",
  fetchedAtIsDate: true,
  tasks: [
    ["extract", "Completed"],
    ["transform", "Completed"],
    ["load", "Completed"],
  ],
};

const packs = mkdtempSync(path.join(tmpdir(), "cloacina-packs-"));
const project = mkdtempSync(path.join(tmpdir(), "cloacina-user-"));
const tarball = (dir: PackageDir) => path.join(packs, tarballName(dir));
const { schema, url: postgresUrl } = freshSchema("pack");
let schemaUsed = false;

/** Runs the quickstart in the user's project with `node`, and parses the JSON line it printed. */
async function quickstart(dbUrl: string): Promise<{ code: number; output: unknown }> {
  const outcome = await run(process.execPath, ["quickstart.mjs"], {
    cwd: project,
    env: { DB_URL: dbUrl },
    timeout: 2 * MINUTE,
  });
  const line = outcome.stdout
    .split("\n")
    .reverse()
    .find((l) => l.startsWith("{"));
  if (line === undefined) {
    throw new Error(`quickstart printed no JSON (exit ${outcome.code})\n${outcome.stdout}\n${outcome.stderr}`);
  }
  return { code: outcome.code, output: JSON.parse(line) };
}

/** Every file an installed package's `exports` map points at (the source condition aside) exists. */
function missingExportTargets(name: string): string[] {
  const dir = path.join(project, "node_modules", name);
  const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
    exports: Record<string, Record<string, string>>;
  };
  const missing: string[] = [];
  for (const [subpath, conditions] of Object.entries(manifest.exports)) {
    for (const [condition, target] of Object.entries(conditions)) {
      if (condition === "@cloacina/source") continue;
      if (!existsSync(path.join(dir, target))) missing.push(`${name} ${subpath} ${condition} → ${target}`);
    }
  }
  return missing;
}

/** Where npm put each installed @cloacina package and cloacina, and where it came from. */
function installedCloacinaPackages(): Record<string, string | undefined> {
  const lock = JSON.parse(readFileSync(path.join(project, "node_modules/.package-lock.json"), "utf8")) as {
    packages: Record<string, { resolved?: string }>;
  };
  const found: Record<string, string | undefined> = {};
  for (const [location, entry] of Object.entries(lock.packages)) {
    if (/(^|\/)node_modules\/(cloacina|@cloacina\/[^/]+)$/.test(location)) found[location] = entry.resolved;
  }
  return found;
}

afterAll(async () => {
  if (schemaUsed) await dropSchema(schema);
  rmSync(project, { recursive: true, force: true });
  rmSync(packs, { recursive: true, force: true });
});

describe("swapping databases is installing a package (real tarballs, a fresh project, plain node)", () => {
  beforeAll(async () => {
    // Build, then pack; `prepack` (tsc -b) builds each package again, which is then a no-op.
    await must("npm", ["run", "build"], { cwd: root, timeout: 5 * MINUTE });
    await must("npm", ["pack", "--pack-destination", packs, ...PACKAGES.flatMap((dir) => ["-w", `packages/${dir}`])], {
      cwd: root,
      timeout: 5 * MINUTE,
    });
    for (const dir of PACKAGES) expect(existsSync(tarball(dir)), tarballName(dir)).toBe(true);

    await must("npm", ["init", "-y"], { cwd: project, timeout: MINUTE });
    await must("npm", ["pkg", "set", "type=module"], { cwd: project, timeout: MINUTE });
    writeFileSync(path.join(project, "quickstart.mjs"), QUICKSTART);
    // The first of two installs: everything except the PostgreSQL backend (compiles better-sqlite3).
    await must(
      "npm",
      ["install", "--no-audit", "--no-fund", tarball("dispatcher"), tarball("engine"), tarball("backend-sqlite")],
      { cwd: project, timeout: 8 * MINUTE },
    );
  }, 10 * MINUTE);

  test("the installed packages come from the tarballs, one copy each, with every exported file", () => {
    expect(installedCloacinaPackages()).toEqual({
      "node_modules/cloacina": `file:${path.relative(project, tarball("dispatcher"))}`,
      "node_modules/@cloacina/engine": `file:${path.relative(project, tarball("engine"))}`,
      "node_modules/@cloacina/backend-sqlite": `file:${path.relative(project, tarball("backend-sqlite"))}`,
    });
    // The PostgreSQL backend is an optional peer of cloacina: installing cloacina does not pull it in.
    expect(existsSync(path.join(project, "node_modules/@cloacina/backend-postgres"))).toBe(false);
    for (const name of ["cloacina", "@cloacina/engine", "@cloacina/backend-sqlite"]) {
      expect(missingExportTargets(name)).toEqual([]);
    }
  });

  test("the quickstart runs to Completed on sqlite:// under plain node", async () => {
    const { code, output } = await quickstart(`sqlite://${path.join(project, "q.db")}`);
    expect(output).toEqual(COMPLETED);
    expect(code).toBe(0);
  });

  test("the installed `cloacina` bin runs a user's workflow module on sqlite://", async () => {
    writeFileSync(
      path.join(project, "workflows.mjs"),
      `import { task, workflow } from "cloacina";
       const hello = task({ id: "hello" }, (ctx) => ({ greeting: "hello " + ctx.who }));
       workflow({ name: "greet", tasks: [hello] });`,
    );
    const bin = path.join(project, "node_modules/.bin/cloacina");
    // Installed, the launcher (bin/cloacina.js) runs the build: with the package's src/ out of
    // the way, the bin still works.
    const src = path.join(project, "node_modules/cloacina/src");
    renameSync(src, `${src}.hidden`);
    try {
      const version = await must(bin, ["--version"], { cwd: project, timeout: MINUTE });
      expect(version.stdout.trim()).toBe("0.1.0");
      const dbUrl = `sqlite://${path.join(project, "cli.db")}`;
      const runOutcome = await run(
        bin,
        ["run", "workflows.mjs", "greet", "--context", '{"who":"you"}', "--db", dbUrl],
        { cwd: project, timeout: 2 * MINUTE },
      );
      expect(runOutcome.stdout + runOutcome.stderr).toContain("hello you");
      expect(runOutcome.code).toBe(0);
    } finally {
      renameSync(`${src}.hidden`, src);
    }
  });

  test("the installed dashboard serves its page and the script bundled at build time", async () => {
    const built = path.join(project, "node_modules/cloacina/dist/dashboard/assets/app.js");
    expect(existsSync(built)).toBe(true);
    writeFileSync(
      path.join(project, "dashboard.mjs"),
      `import { readFileSync } from "node:fs";
       import { createExecutor } from "cloacina";
       import { dashboardApp } from "cloacina/dashboard";
       const executor = await createExecutor(process.env.DB_URL, { runTasks: false });
       const app = dashboardApp(executor);
       const get = (p) => app.fetch(new Request("http://127.0.0.1" + p));
       const page = await get("/");
       const script = await get("/assets/app.js");
       const text = await script.text();
       console.log(JSON.stringify({
         page: [page.status, page.headers.get("content-security-policy")?.includes("script-src 'self'")],
         script: [script.status, script.headers.get("content-type")],
         prebuilt: text === readFileSync(process.env.BUILT, "utf8"),
       }));
       await executor.close();`,
    );
    const outcome = await run(process.execPath, ["dashboard.mjs"], {
      cwd: project,
      env: { DB_URL: `sqlite://${path.join(project, "dash.db")}`, BUILT: built },
      timeout: MINUTE,
    });
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(JSON.parse(outcome.stdout.trim())).toEqual({
      page: [200, true],
      script: [200, "text/javascript; charset=utf-8"],
      prebuilt: true,
    });
  });

  // Needs no server: the backend package is missing before any connection is attempted.
  test("the same script on postgres:// is BACKEND_NOT_INSTALLED, naming @cloacina/backend-postgres", async () => {
    const { code, output } = await quickstart(postgresUrl);
    expect(output).toEqual({
      error: {
        name: "BackendNotInstalledError",
        code: "BACKEND_NOT_INSTALLED",
        message: expect.stringContaining("npm install @cloacina/backend-postgres"),
      },
    });
    expect(code).toBe(1);
  });

  test.skipIf(skipPostgres)(
    "after `npm install` of the PostgreSQL backend's tarball, the same script runs to Completed on postgres://",
    async () => {
      await must("npm", ["install", "--no-audit", "--no-fund", tarball("backend-postgres")], {
        cwd: project,
        timeout: 8 * MINUTE,
      });
      expect(installedCloacinaPackages()["node_modules/@cloacina/backend-postgres"]).toBe(
        `file:${path.relative(project, tarball("backend-postgres"))}`,
      );
      expect(missingExportTargets("@cloacina/backend-postgres")).toEqual([]);

      schemaUsed = true;
      const { code, output } = await quickstart(postgresUrl);
      expect(output).toEqual(COMPLETED);
      expect(code).toBe(0);
    },
    10 * MINUTE,
  );
});
