/**
 * A workflow that starts itself through child workflows (directly, or through others) would
 * start children forever. Child workflows may be given as functions (forward references), so
 * this can only be checked once they resolve: the executor checks before a run starts.
 */
import { WorkflowDefinitionError } from "../errors.js";
import type { Workflow } from "../workflow/workflow.js";
import { childSpecOf } from "./specs.js";

/**
 * The first cycle through child workflows reachable from `wf`, as workflow names from a workflow
 * back to itself (`["a", "b", "a"]`), or null. Workflows are told apart by name, as runs are
 * stored. A child's function that throws (say, it returns no workflow) throws here.
 */
export function findChildCycle(wf: Workflow): string[] | null {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (current: Workflow): string[] | null => {
    const at = path.indexOf(current.name);
    if (at !== -1) return [...path.slice(at), current.name];
    if (done.has(current.name)) return null;
    path.push(current.name);
    for (const definition of current.tasks.values()) {
      const child = childSpecOf(definition)?.workflow();
      const cycle = child === undefined ? null : visit(child);
      if (cycle !== null) return cycle;
    }
    path.pop();
    done.add(current.name);
    return null;
  };
  return visit(wf);
}

/** Throws CHILD_WORKFLOW_CYCLE when a child workflow of `wf` (at any depth) starts its own parent. */
export function assertNoChildCycle(wf: Workflow): void {
  const cycle = findChildCycle(wf);
  if (cycle === null) return;
  const [first] = cycle;
  const reached = first === wf.name ? "" : ` (a child workflow of "${wf.name}")`;
  throw new WorkflowDefinitionError(
    "CHILD_WORKFLOW_CYCLE",
    `Workflow "${first}"${reached} starts itself through child workflows: ${cycle.join(" → ")}. ` +
      `A child workflow cannot (directly or not) start its own parent.`,
    { details: { workflow: wf.name, cycle } },
  );
}
