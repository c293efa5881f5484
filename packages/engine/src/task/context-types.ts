// `{}` is the empty context here (no known keys), which is what the rule warns about elsewhere.
/* eslint-disable @typescript-eslint/no-empty-object-type */
/**
 * The context rule (runtime/task-context.ts) at the type level: a task's context is the run's
 * input with its ancestors' outputs written over it. What the types cannot know, and how they
 * approximate it, is said at each type and in the README ("Typed workflows").
 */
import type { StandardSchemaV1 } from "../schema/standard-schema.js";
import type { Context } from "../types.js";

/** Type-level facts a task reference carries (a phantom: never set at run time). */
export interface TaskTypes<Ctx = any, Output = any, Needs = any, MaySkip extends boolean = boolean> {
  /** The known part of the task's context (what its dependencies provide, plus what it reads). */
  context: Ctx;
  /** What it returns, as merged (a schema's output when it has an output schema). */
  output: Output;
  /** Keys the workflow's input must hold for this task and its ancestors. */
  needs: Needs;
  /** Whether it may be Skipped in a run that completes: a condition or "anyFailed" on it or above it. */
  maySkip: MaySkip;
}

export type Simplify<T> = { [K in keyof T]: T[K] } & {};

type IsAny<T> = 0 extends 1 & T ? true : false;

/** T without its index signatures: the keys the types actually know. */
export type Known<T> = {
  [K in keyof T as string extends K ? never : number extends K ? never : symbol extends K ? never : K]: T[K];
};

type RequiredKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? never : K }[keyof T];

/** `Object.assign(a, b)`: B's keys over A's; a key B may lack keeps A's type beside B's. */
export type Assign<A, B> = B extends unknown
  ? Simplify<
      { [K in keyof A as K extends keyof B ? never : K]: A[K] } & {
        [K in keyof B as K extends RequiredKeys<B> ? K : never]: B[K];
      } & {
        [K in keyof B as K extends RequiredKeys<B> ? never : K extends keyof A ? K : never]-?:
          A[K & keyof A] | Exclude<B[K], undefined>;
      } & {
        [K in keyof B as K extends RequiredKeys<B> ? never : K extends keyof A ? never : K]?: B[K];
      }
    >
  : never;

/**
 * Two dependencies' contexts side by side. Their merge order is the workflow's topological order
 * with ties broken by id, which no type sees: a key both have gets the union of their types.
 */
export type Combine<A, B> = Simplify<
  { [K in keyof A as K extends keyof B ? never : K]: A[K] } & {
    [K in keyof B as K extends keyof A ? never : K]: B[K];
  } & { [K in keyof A & keyof B]: A[K] | B[K] }
>;

/** A task's return type as an object: `{}` for nothing, optional keys when it may return nothing. */
export type OutputObject<Out> = [Exclude<Out, void | undefined>] extends [never]
  ? {}
  : void extends Out
    ? Partial<Exclude<Out, void | undefined>>
    : undefined extends Out
      ? Partial<Exclude<Out, void | undefined>>
      : Exclude<Out, void | undefined>;

/** What one dependency entry tells the types (nothing, for an id). */
export type TypesOf<D> = D extends string
  ? undefined
  : D extends { readonly "~types"?: infer T }
    ? IsAny<T> extends true
      ? undefined
      : NonNullable<T>
    : D extends (ctx: infer C, ...rest: any[]) => infer R
      ? // A decorated method: its annotated context and its return type. Decorators cannot add
        // types to a method, so what its own dependencies provide is not known here.
        TaskTypes<Known<C>, OutputObject<Awaited<R>>, {}, false>
      : undefined;

/** The context a dependency's dependents see from it: its context with its output over it. */
export type ProvidesOf<D> = TypesOf<D> extends TaskTypes<infer C, infer O, any, any> ? Assign<C, O> : {};
type NeedsOf<D> = TypesOf<D> extends TaskTypes<any, any, infer N, any> ? N : {};
type MaySkipOf<D> = TypesOf<D> extends TaskTypes<any, any, any, infer S> ? S : false;

/** Whether some entry carries no types (an id, or an untyped reference). */
export type AnyUntyped<Deps extends readonly unknown[]> = true extends {
  [I in keyof Deps]: TypesOf<Deps[I]> extends undefined ? true : false;
}[number]
  ? true
  : false;

/** What all of `Deps` provide, combined. A non-tuple array counts as its element type. */
export type ProvidesAll<Deps extends readonly unknown[]> = Deps extends readonly [infer H, ...infer T]
  ? Combine<ProvidesOf<H>, ProvidesAll<T>>
  : Deps extends readonly []
    ? {}
    : ProvidesOf<Deps[number]>;

export type NeedsAll<Deps extends readonly unknown[]> = Deps extends readonly [infer H, ...infer T]
  ? Simplify<NeedsOf<H> & NeedsAll<T>>
  : Deps extends readonly []
    ? {}
    : NeedsOf<Deps[number]>;

export type MaySkipAny<Deps extends readonly unknown[]> = true extends {
  [I in keyof Deps]: MaySkipOf<Deps[I]>;
}[number]
  ? true
  : false;

/** Triggers under which a dependency may have failed or been skipped: its output may be missing. */
type Lenient = "allDone" | "anyFailed";

/** The known context of a task from its dependencies (the input keys its ancestors read included). */
export type DependencyContext<Deps extends readonly unknown[], Trigger> = [Trigger] extends [Lenient]
  ? Assign<Partial<ProvidesAll<Deps>>, NeedsAll<Deps>>
  : ProvidesAll<Deps>;

/**
 * The `ctx` a task function gets when it annotates nothing: its dependencies' context, open
 * (`Context`) when some dependency is an id or the task has none (a root reads the run's input,
 * which only the workflow knows).
 */
export type DefaultContext<Deps extends readonly unknown[], Trigger> = Deps extends readonly []
  ? Context
  : AnyUntyped<Deps> extends true
    ? DependencyContext<Deps, Trigger> & Context
    : DependencyContext<Deps, Trigger>;

/** Keys both the task's declared input and its dependencies have, with a type that does not fit. */
export type Mismatched<In, DepCtx> = {
  [K in keyof Known<In> & keyof DepCtx]: DepCtx[K] extends In[K] ? never : K;
}[keyof Known<In> & keyof DepCtx];

/** `{}` when `In` fits what the dependencies provide, else a property naming the keys that do not. */
export type ContextCheck<In, DepCtx> = [Mismatched<In, DepCtx>] extends [never]
  ? {}
  : { "ctx does not match what dependsOn provides, at keys": Mismatched<In, DepCtx> };

type InferIn<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferInput<S> : never;
type InferOut<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S> : never;

/** What a task declares it reads: its input schema's input type, else its `ctx` annotation. */
export type DeclaredInput<In, InSchema> = [InSchema] extends [StandardSchemaV1] ? InferIn<InSchema> : In;
/** What is merged: its output schema's output, else what the function returns. */
export type MergedOutput<Out, OutSchema> = [OutSchema] extends [StandardSchemaV1]
  ? InferOut<OutSchema>
  : OutputObject<Out>;

/**
 * What a task reads beyond what its dependencies are known to provide: a need of the workflow's
 * input. With an id among its dependencies that part is unknown (the id may provide it), so it
 * needs nothing of its own.
 */
type OwnNeeds<Deps extends readonly unknown[], Trigger, Declared> =
  AnyUntyped<Deps> extends true ? {} : Omit<Known<Declared>, keyof DependencyContext<Deps, Trigger>>;

/** The types a reference made by `task()` carries. */
export type TaskTypesOf<Deps extends readonly unknown[], Trigger, In, Out, InSchema, OutSchema> = TaskTypes<
  Simplify<
    DependencyContext<Deps, Trigger> & Omit<Known<DeclaredInput<In, InSchema>>, keyof DependencyContext<Deps, Trigger>>
  >,
  MergedOutput<Out, OutSchema>,
  Simplify<NeedsAll<Deps> & OwnNeeds<Deps, Trigger, DeclaredInput<In, InSchema>>>,
  [Trigger] extends ["allDone"] ? false : [Trigger] extends ["allSucceeded"] ? MaySkipAny<Deps> : true
>;
