import { z } from "zod";
import { WorkflowDefinitionError } from "../errors.js";
import { globalRegistry } from "../registry/registry.js";
import type { Context, TaskRunInfo } from "../types.js";
import { userCallSite } from "./call-site.js";
import type { StandardSchemaV1 } from "../schema/standard-schema.js";
import type { ContextCheck, DeclaredInput, DefaultContext, DependencyContext, TaskTypesOf } from "./context-types.js";
import type { ReceivedContext, Schema, TaskDecorator, TypedTaskOptions } from "./task-signature.js";
import type { TaskDefinition, TaskFunction, TaskRef } from "./task-definition.js";
import type { TriggerRule } from "./trigger-rule.js";
import { type ResolvedTaskOptions, type TaskOptions, taskOptionsSchema } from "./task-options.js";
import { dependencyId, type TaskDependency } from "./task-reference.js";
import { assertSchema } from "../schema/validate.js";

/**
 * Declares a task and registers it in the global registry.
 *
 * As a function, it returns a reference; with references in `dependsOn`, `ctx` is typed from
 * what they provide (their outputs, and the input keys their ancestors read):
 * ```ts
 * const extract = task({ id: "extract" }, (ctx: { source: string }) => ({ rows: [1, 2, 3] }));
 * const total = task({ id: "total", dependsOn: [extract] }, (ctx) => ({ total: ctx.rows.length }));
 * ```
 * As a decorator on a static or instance method (both decorator dialects), which can itself be
 * a dependency (`dependsOn: [Etl.extract]`):
 * ```ts
 * class Etl {
 *   @task({ id: "extract" })
 *   static async extract(ctx: { source: string }) { return { rows: [1, 2, 3] }; }
 * }
 * ```
 */
export function task<const Deps extends readonly TaskDependency[] = [], Trigger extends TriggerRule = "allSucceeded">(
  options: TypedTaskOptions<Deps, Trigger, Schema, Schema>,
): TaskDecorator<DefaultContext<Deps, Trigger>>;
export function task<
  const Deps extends readonly TaskDependency[] = [],
  Trigger extends TriggerRule = "allSucceeded",
  InSchema extends Schema = undefined,
  OutSchema extends StandardSchemaV1<any, any> = StandardSchemaV1,
  In extends Context = ReceivedContext<Deps, Trigger, InSchema>,
>(
  options: TypedTaskOptions<Deps, Trigger, InSchema, OutSchema> & { output: OutSchema } & ContextCheck<
      DeclaredInput<In, InSchema>,
      DependencyContext<Deps, Trigger>
    >,
  // With an output schema, the function returns what the schema takes (its input type).
  fn: TaskFunction<In, StandardSchemaV1.InferInput<OutSchema>>,
): TaskRef<In, StandardSchemaV1.InferInput<OutSchema>, TaskTypesOf<Deps, Trigger, In, unknown, InSchema, OutSchema>>;
export function task<
  const Deps extends readonly TaskDependency[] = [],
  Trigger extends TriggerRule = "allSucceeded",
  InSchema extends Schema = undefined,
  In extends Context = ReceivedContext<Deps, Trigger, InSchema>,
  Out extends Context | void = Context | void,
>(
  options: TypedTaskOptions<Deps, Trigger, InSchema, undefined> &
    ContextCheck<DeclaredInput<In, InSchema>, DependencyContext<Deps, Trigger>>,
  fn: TaskFunction<In, Out>,
): TaskRef<In, Out, TaskTypesOf<Deps, Trigger, In, Out, InSchema, undefined>>;
export function task(options: TaskOptions, fn?: TaskFunction): TaskDecorator | TaskRef {
  const resolved = parseTaskOptions(options);
  if (fn !== undefined) {
    if (typeof fn !== "function") {
      throw new WorkflowDefinitionError("INVALID_TASK_OPTIONS", `task("${resolved.id}", fn): fn must be a function.`);
    }
    const definition = register(resolved, (ctx, run) => fn(ctx, run));
    return { id: resolved.id, definition, fn };
  }
  const registeredAt = userCallSite();
  return ((...args: unknown[]) => decorate(resolved, registeredAt, args)) as TaskDecorator;
}

function parseTaskOptions(options: TaskOptions): ResolvedTaskOptions {
  const named = typeof (options as { id?: unknown } | undefined)?.id === "string" ? `task "${options.id}"` : "a task";
  const label = named.charAt(0).toUpperCase() + named.slice(1);
  // Schemas get their own code: a zod issue "Invalid input" would not say what is wrong.
  assertSchema(options?.input, `the input of ${named}`);
  assertSchema(options?.output, `the output of ${named}`);
  const dependsOn = Array.isArray(options?.dependsOn)
    ? options.dependsOn.map((entry, i) => dependencyId(entry, `${label}: dependsOn[${i}]`))
    : options?.dependsOn;
  const parsed = taskOptionsSchema.safeParse(dependsOn === undefined ? options : { ...options, dependsOn });
  if (!parsed.success) {
    const id = typeof (options as { id?: unknown } | undefined)?.id === "string" ? ` "${options.id}"` : "";
    throw new WorkflowDefinitionError(
      "INVALID_TASK_OPTIONS",
      `Invalid options for task${id}:\n${z.prettifyError(parsed.error)}`,
      { cause: parsed.error, details: { issues: parsed.error.issues } },
    );
  }
  const duplicate = parsed.data.dependsOn.find((dep, i, all) => all.indexOf(dep) !== i);
  if (duplicate !== undefined) {
    throw new WorkflowDefinitionError(
      "INVALID_TASK_OPTIONS",
      `Task "${parsed.data.id}" lists "${duplicate}" twice in dependsOn.`,
    );
  }
  return parsed.data;
}

function register(
  options: ResolvedTaskOptions,
  invoke: (ctx: Context, run: TaskRunInfo) => unknown,
  registeredAt = userCallSite(),
): TaskDefinition {
  const definition: TaskDefinition = Object.freeze({
    ...options,
    kind: "cloacina.task" as const,
    invoke,
    get registeredAt() {
      return registeredAt();
    },
  });
  globalRegistry().addTask(definition);
  return definition;
}

function isTc39Context(value: unknown): value is DecoratorContext {
  return typeof value === "object" && value !== null && "kind" in value && "name" in value;
}

function decorate(options: ResolvedTaskOptions, registeredAt: () => string, args: unknown[]): void {
  const [first, second, third] = args;
  if (args.length === 2 && isTc39Context(second)) {
    decorateTc39(options, registeredAt, first, second);
    return;
  }
  if (args.length === 3 && typeof third === "object" && third !== null && typeof first !== "undefined") {
    decorateLegacy(options, registeredAt, first as object, third);
    return;
  }
  throw new WorkflowDefinitionError(
    "INVALID_TASK_DECORATOR",
    `@task({ id: "${options.id}" }) must decorate a class method.`,
  );
}

function decorateTc39(
  options: ResolvedTaskOptions,
  registeredAt: () => string,
  value: unknown,
  context: DecoratorContext,
): void {
  if (context.kind !== "method" || typeof value !== "function") {
    throw new WorkflowDefinitionError(
      "INVALID_TASK_DECORATOR",
      `@task({ id: "${options.id}" }) must decorate a method, not a ${context.kind}.`,
    );
  }
  const method = value as (...args: unknown[]) => unknown;
  // Static: the initializer runs while the class is defined, with `this` = the class.
  // Instance: it runs when an instance is constructed, with `this` = that instance. The first
  // instance wins; `@taskClass()` constructs one as soon as the class is defined.
  let receiver: unknown;
  let bound = false;
  context.addInitializer(function (this: unknown) {
    if (!bound) {
      // eslint-disable-next-line @typescript-eslint/no-this-alias -- capturing the instance is the point
      receiver = this;
      bound = true;
    }
  });
  const methodName = String(context.name);
  const definition = register(
    options,
    (ctx, run) => {
      if (!bound) {
        throw new WorkflowDefinitionError(
          "INVALID_TASK_DECORATOR",
          `Task "${options.id}" is the instance method ${methodName}() and no instance of its class exists yet. ` +
            `With standard decorators, put @taskClass() on the class (or construct one instance), or make the method static.`,
        );
      }
      return method.call(receiver, ctx, run);
    },
    registeredAt,
  );
  // The method stays as it is (a standard decorator that returns nothing keeps it), so the
  // function a user reads as `Etl.extract` is this one.
  globalRegistry().addMethod(method, definition);
}

const instances = new WeakMap<object, unknown>();

function decorateLegacy(
  options: ResolvedTaskOptions,
  registeredAt: () => string,
  target: object,
  descriptor: PropertyDescriptor,
): void {
  const method: unknown = descriptor.value;
  if (typeof method !== "function") {
    throw new WorkflowDefinitionError(
      "INVALID_TASK_DECORATOR",
      `@task({ id: "${options.id}" }) must decorate a method.`,
    );
  }
  // Legacy decorators receive the constructor (static) or the prototype (instance).
  const isStatic = typeof target === "function";
  const definition = register(
    options,
    (ctx, run) => method.call(isStatic ? target : sharedInstance(target), ctx, run),
    registeredAt,
  );
  globalRegistry().addMethod(method, definition);
}

/** One instance per class, created lazily with no arguments. */
function sharedInstance(prototype: object): unknown {
  const ctor = (prototype as { constructor: new () => unknown }).constructor;
  if (!instances.has(ctor)) instances.set(ctor, new ctor());
  return instances.get(ctor);
}

/**
 * Class decorator for classes with instance-method tasks. Under standard (TC39) decorators it
 * constructs one instance (no-argument constructor) as soon as the class is defined, so its
 * instance-method tasks have a `this`. Under `experimentalDecorators` it is optional: the
 * instance is created on first use.
 */
export function taskClass() {
  return function (target: abstract new () => unknown, context?: unknown): void {
    if (isTc39Context(context)) {
      context.addInitializer(function (this: unknown) {
        new (this as new () => unknown)();
      });
      return;
    }
    sharedInstance((target as { prototype: object }).prototype);
  };
}
