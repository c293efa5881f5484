#!/usr/bin/env node
/**
 * The `cloacina` executable: a launcher committed as JavaScript, so npm links it right after
 * `npm install` (npm links no bin whose file is missing, and `dist/` exists only after a build).
 *
 * - Installed (this file sits inside a `node_modules` folder): runs the built `dist/cli/main.js`.
 * - In a checkout (a workspace, `npm link`): runs `src/cli/main.ts` from source, in this same
 *   process, with tsx's loader and the `@cloacina/source` export condition, as the tests and
 *   examples do. Source even when a `dist/` is there: a build left behind by `npm run build`
 *   or the packaging test goes stale at the next edit.
 *
 * One process either way: signals, exit codes, stdin and the terminal stay the CLI's own.
 */
import { register } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

// Node gives the real path of the main module (symlinks resolved), so the workspace link
// node_modules/cloacina → packages/dispatcher counts as a checkout, not as an install.
const installed = fileURLToPath(import.meta.url)
  .split(path.sep)
  .includes("node_modules");

if (installed) {
  await import("../dist/cli/main.js");
} else {
  // What `--conditions=@cloacina/source` does on node's command line: every import of a Cloacina
  // package resolves to its `src/*.ts` (a resolve hook, since conditions cannot be set at runtime).
  const addSourceCondition =
    "export const resolve = (specifier, context, next) => " +
    'next(specifier, { ...context, conditions: [...context.conditions, "@cloacina/source"] });';
  register(`data:text/javascript,${encodeURIComponent(addSourceCondition)}`);
  const tsx = await import("tsx/esm/api");
  tsx.register();
  await import("../src/cli/main.ts");
}
