// `{}` is the empty context here (no known keys), which is what the rule warns about elsewhere.
/* eslint-disable @typescript-eslint/no-empty-object-type */
/**
 * A workflow's types from its tasks (see task/context-types.ts for the rule): what `start` takes,
 * and what `finalContext` holds.
 */
import type { StandardSchemaV1 } from "../schema/standard-schema.js";
import type { AnyUntyped, Assign, Combine, Known, NeedsAll, TaskTypes, TypesOf } from "../task/context-types.js";
import type { Context } from "../types.js";

type InferIn<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferInput<S> : never;
type InferOut<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S> : never;

/**
 * The input `start` takes. With a schema, exactly the schema's input. Without one, the keys the
 * tasks declare they read, with their types, and anything else (the tasks' needs are not all
 * known: an id carries no types).
 */
export type WorkflowInput<Tasks extends readonly unknown[], InSchema> = [InSchema] extends [StandardSchemaV1]
  ? InferIn<InSchema>
  : Open<NeedsAll<Tasks>>;

/** Known keys and any others: just `Context` when none is known, as an untyped workflow has. */
type Open<T> = [keyof T] extends [never] ? Context : T & Context;

/** One task's part of a completed run's context: its output optional when it may be skipped. */
type FinalPart<T> =
  T extends TaskTypes<infer C, infer O, any, infer S>
    ? [S] extends [false]
      ? Assign<C, O>
      : Assign<C, Partial<O>>
    : {};

type FinalAll<Tasks extends readonly unknown[]> = Tasks extends readonly [infer H, ...infer T]
  ? Combine<FinalPart<TypesOf<H>>, FinalAll<T>>
  : Tasks extends readonly []
    ? {}
    : FinalPart<TypesOf<Tasks[number]>>;

/**
 * `finalContext` of a completed run: the input with every task's output over it. Two tasks that
 * write one key give it the union of their types, even when one runs after the other.
 */
export type WorkflowContext<Tasks extends readonly unknown[], InSchema> = [InSchema] extends [StandardSchemaV1]
  ? AnyUntyped<Tasks> extends true
    ? Open<Assign<Known<InferOut<InSchema>>, FinalAll<Tasks>>>
    : Assign<Known<InferOut<InSchema>>, FinalAll<Tasks>>
  : Open<Assign<NeedsAll<Tasks>, FinalAll<Tasks>>>;

/** Input keys some task needs that the input schema does not give (with a type that fits). */
type MissingInput<Tasks extends readonly unknown[], InSchema> = {
  [K in keyof NeedsAll<Tasks>]: K extends keyof InferOut<InSchema>
    ? InferOut<InSchema>[K] extends NeedsAll<Tasks>[K]
      ? never
      : K
    : K;
}[keyof NeedsAll<Tasks>];

/** `{}` when the input schema gives every task what it reads, else a property naming what is missing. */
export type InputCheck<Tasks extends readonly unknown[], InSchema> = [InSchema] extends [StandardSchemaV1]
  ? [MissingInput<Tasks, InSchema>] extends [never]
    ? {}
    : { "the input schema does not give these keys that tasks read": MissingInput<Tasks, InSchema> }
  : {};
