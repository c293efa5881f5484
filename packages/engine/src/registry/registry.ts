import { WorkflowDefinitionError } from "../errors.js";
import type { TaskDefinition } from "../task/task-definition.js";
import type { Workflow } from "../workflow/workflow.js";

/**
 * The one registry of tasks and workflows in a process.
 *
 * It lives on `globalThis` under a `Symbol.for` key, so two copies of the engine module (a
 * duplicated install, or a test runner that loads a module twice) still share it.
 */
export class Registry {
  readonly #tasks = new Map<string, TaskDefinition>();
  readonly #workflows = new Map<string, Workflow>();
  /** Decorated methods, so that `dependsOn: [Etl.extract]` finds the task the method is. */
  #methods = new WeakMap<object, TaskDefinition>();
  #generation = 0;

  /** Changes whenever the set of workflows changes, so callers can cache what they derive. */
  get generation(): number {
    return this.#generation;
  }

  addTask(definition: TaskDefinition): void {
    const existing = this.#tasks.get(definition.id);
    if (existing) {
      throw new WorkflowDefinitionError(
        "DUPLICATE_TASK",
        `Task id "${definition.id}" is already registered (first registered at ${existing.registeredAt}; ` +
          `again at ${definition.registeredAt}). Task ids are global: give this task another id.`,
        { details: { taskId: definition.id, first: existing.registeredAt, second: definition.registeredAt } },
      );
    }
    this.#tasks.set(definition.id, definition);
  }

  task(id: string): TaskDefinition | undefined {
    return this.#tasks.get(id);
  }

  /** Records that `method` (a decorated method's function) is the task `definition`. */
  addMethod(method: object, definition: TaskDefinition): void {
    this.#methods.set(method, definition);
  }

  /** The task a decorated method was registered as, if any. */
  taskOfMethod(method: object): TaskDefinition | undefined {
    return this.#methods.get(method);
  }

  taskIds(): string[] {
    return [...this.#tasks.keys()];
  }

  addWorkflow(workflow: Workflow): void {
    const existing = this.#workflows.get(workflow.name);
    if (existing && existing.version !== workflow.version) {
      throw new WorkflowDefinitionError(
        "DUPLICATE_WORKFLOW",
        `Workflow "${workflow.name}" is already registered with a different shape (version ${existing.version.slice(0, 12)}). ` +
          `Give the new workflow another name.`,
        { details: { workflow: workflow.name } },
      );
    }
    if (existing) return;
    this.#workflows.set(workflow.name, workflow);
    this.#generation++;
  }

  workflow(name: string): Workflow | undefined {
    return this.#workflows.get(name);
  }

  workflows(): Workflow[] {
    return [...this.#workflows.values()];
  }

  /** Forget every registration. For tests. */
  reset(): void {
    this.#tasks.clear();
    this.#workflows.clear();
    this.#methods = new WeakMap();
    this.#generation++;
  }
}

const KEY = Symbol.for("cloacina.registry.v1");
type GlobalWithRegistry = typeof globalThis & { [KEY]?: Registry };

/** The process-wide registry (shared by every copy of the engine). */
export function globalRegistry(): Registry {
  const g = globalThis as GlobalWithRegistry;
  return (g[KEY] ??= new Registry());
}

/** Forget every registered task and workflow. Meant for tests. */
export function resetRegistry(): void {
  globalRegistry().reset();
}
