/**
 * Loads a user's module (TypeScript or JavaScript) so that its tasks and workflows register in
 * the process-wide registry. TypeScript goes through tsx's `tsImport`, so no build step is
 * needed; tsx reads the `tsconfig.json` of the working directory (or `TSX_TSCONFIG_PATH`).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { closestMatch } from "@cloacina/engine/internal";
import { globalRegistry, ValidationError, type Workflow } from "@cloacina/engine";
import { tsImport } from "tsx/esm/api";
import { CliError } from "./errors.js";

/** Imports the module at `file` (relative to the working directory). */
export async function loadModule(file: string): Promise<void> {
  const absolute = path.resolve(file);
  if (!existsSync(absolute)) {
    throw new CliError("MODULE_NOT_FOUND", `No module at ${absolute}: pass the file that declares your workflows.`);
  }
  try {
    await tsImport(pathToFileURL(absolute).href, import.meta.url);
  } catch (error) {
    throw new CliError("MODULE_LOAD_FAILED", `${file} failed while loading (run with --verbose for the stack).`, {
      cause: error,
    });
  }
}

/** The registered workflow called `name`, or UNKNOWN_WORKFLOW naming the ones there are. */
export function findWorkflow(name: string, file: string): Workflow {
  const registry = globalRegistry();
  const found = registry.workflow(name);
  if (found) return found;
  const names = registry.workflows().map((wf) => wf.name);
  if (names.length === 0) {
    throw new ValidationError(
      "UNKNOWN_WORKFLOW",
      `${file} registers no workflow: declare one there with workflow({ name, tasks }).`,
    );
  }
  const guess = closestMatch(name, names);
  throw new ValidationError(
    "UNKNOWN_WORKFLOW",
    `No workflow "${name}" in ${file}.${guess ? ` Did you mean "${guess}"?` : ""} ` +
      `Registered workflows: ${names.sort().join(", ")}.`,
    { details: { workflow: name, registered: names } },
  );
}

/** Loads a module and returns the names of the workflows registered after it, sorted. */
export async function loadWorkflows(file: string): Promise<string[]> {
  await loadModule(file);
  return globalRegistry()
    .workflows()
    .map((wf) => wf.name)
    .sort();
}
