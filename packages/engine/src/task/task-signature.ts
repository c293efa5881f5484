/** The types of `task()`'s two forms: the decorator and the options a reference's types follow. */
import type { StandardSchemaV1 } from "../schema/standard-schema.js";
import type { ContextCheck, DefaultContext, Known } from "./context-types.js";
import type { TaskOptions } from "./task-options.js";

type AnyFunction = (...args: any[]) => any;

/** `{}` when a decorated method's `ctx` fits what its dependencies provide, else a named mismatch. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- `{}`: nothing to add to the method's type
type MethodCheck<F, Ctx> = F extends (ctx: infer C, ...rest: any[]) => any ? ContextCheck<C, Known<Ctx>> : {};

/**
 * A decorator usable both as a TC39 standard method decorator and as a legacy
 * (`experimentalDecorators`) one. With references in `dependsOn`, it checks the method's `ctx`
 * annotation against what they provide (a decorator can check a method's type, not change it).
 */
export interface TaskDecorator<Ctx = any> {
  // TC39 standard decorators
  <F extends AnyFunction>(value: F & MethodCheck<F, Ctx>, context: ClassMethodDecoratorContext): void;
  // experimentalDecorators
  <F extends AnyFunction>(
    target: object,
    propertyKey: string | symbol,
    descriptor: TypedPropertyDescriptor<F> & MethodCheck<F, Ctx>,
  ): void;
}

/** `task()`'s options, with the parts the types follow as type parameters. */
export type TypedTaskOptions<Deps, Trigger, InSchema, OutSchema> = Omit<
  TaskOptions,
  "dependsOn" | "trigger" | "input" | "output"
> & { dependsOn?: Deps; trigger?: Trigger; input?: InSchema; output?: OutSchema };

export type ReceivedContext<Deps extends readonly unknown[], Trigger, InSchema> = [InSchema] extends [StandardSchemaV1]
  ? StandardSchemaV1.InferOutput<InSchema & StandardSchemaV1>
  : DefaultContext<Deps, Trigger>;

export type Schema = StandardSchemaV1<any, any> | undefined;
