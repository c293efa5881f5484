/**
 * The types `mapTask()` and `childWorkflow()` follow: which element a map gets from its `over`,
 * and what its dependents see. A path is checked against the task's typed context (the one
 * `task()` infers from `dependsOn`); an open context (`Context`, or an id among the
 * dependencies) accepts any path, and its elements are `unknown`.
 */
import type { Context } from "../types.js";
import type { CallAgain } from "../wait/wait-request.js";
import type { Workflow } from "../workflow/workflow.js";

type IsAny<T> = 0 extends 1 & T ? true : false;

/** Marks a path segment the context type does not have (a brand no real value carries). */
declare const missing: unique symbol;
interface Missing {
  readonly [missing]: true;
}

/**
 * One step of a path: `T[K]`. A value typed `unknown` (an open context's key) may hold
 * anything, so every step from it is allowed and stays `unknown`. An optional key is walked as
 * if present: when it is absent at run time the engine fails the task with MAP_PATH_MISSING.
 */
type Step<T, K extends string> =
  IsAny<T> extends true
    ? any
    : unknown extends T
      ? unknown
      : T extends Missing
        ? Missing
        : NonNullable<T> extends infer O
          ? O extends object
            ? K extends keyof O
              ? O[K]
              : string extends keyof O
                ? O[string & keyof O]
                : Missing
            : Missing
          : never;

/** Where the dotted path P leads in T (`Missing` when some segment is not there). */
export type PathValue<T, P extends string> = P extends `${infer Head}.${infer Rest}`
  ? PathValue<Step<T, Head>, Rest>
  : Step<T, P>;

/** The longest prefix of P that T has, to name the segment that is missing. */
type FoundPrefix<T, P extends string, Done extends string = ""> = P extends `${infer Head}.${infer Rest}`
  ? Step<T, Head> extends Missing
    ? Done
    : FoundPrefix<Step<T, Head>, Rest, Done extends "" ? Head : `${Done}.${Head}`>
  : Done;

/** The element type of an array type; `unknown` for an unknown value; `never` for a non-array. */
export type ElementOf<V> =
  IsAny<V> extends true
    ? any
    : unknown extends V
      ? unknown
      : [NonNullable<V>] extends [readonly (infer E)[]]
        ? E
        : never;

/**
 * What a path `over` must be: P itself when it names an array in Ctx, else a string type saying
 * what is wrong, so that the compiler reads `'"filez"' is not assignable to '"over: the context
 * has no filez"'`. A path known only as `string` (not a literal) cannot be checked: it passes.
 */
export type OverPath<Ctx, P extends string> = string extends P
  ? P
  : PathValue<Ctx, P> extends Missing
    ? FoundPrefix<Ctx, P> extends ""
      ? `over: the context has no ${FirstSegment<P>}`
      : `over: ${FoundPrefix<Ctx, P>} has no ${NextSegment<P, FoundPrefix<Ctx, P>>}`
    : [ElementOf<PathValue<Ctx, P>>] extends [never]
      ? `over: ${P} is not an array`
      : P;

type FirstSegment<P extends string> = P extends `${infer Head}.${string}` ? Head : P;
type NextSegment<P extends string, Prefix extends string> = P extends `${Prefix}.${infer Rest}`
  ? FirstSegment<Rest>
  : P;

/** What `over` may be before it is checked: a path, or a function of the context returning the array. */
export type OverOption<Ctx> = string | ((ctx: Ctx) => readonly unknown[]);

/**
 * The type of the `over` option for the given O: a path is checked ({@link OverPath}); a
 * function is taken as it is (its return type gives the element). Written as a conditional on O
 * so that O is still inferred from what the user wrote, literal path included.
 */
export type OverArg<Ctx, O> = O extends string ? OverPath<Ctx, O> : O;

/** The element a map gets from `over`: the path's array element, or the function's. */
export type OverElement<Ctx, O> = O extends string
  ? string extends O
    ? unknown
    : ElementOf<PathValue<Ctx, O>>
  : O extends (ctx: any) => readonly (infer E)[]
    ? E
    : unknown;

/** One element's result as stored: nothing (`void`, `undefined`) is stored as `null`. */
export type StoredResult<R> = R extends void | undefined ? null : R;

/** What a map's dependents see: its results in element order, under `into` (default: its id). */
export type MapOutput<Into extends string, R> = { [K in Into]: StoredResult<Exclude<Awaited<R>, CallAgain>>[] };

/** A child workflow's input type (`Context` for an untyped one). */
export type ChildInput<W> = W extends Workflow<infer Input, any> ? Input : Context;
/** A child workflow's completed `finalContext` type (`Context` for an untyped one). */
export type ChildFinal<W> = W extends Workflow<any, infer Ctx> ? Ctx : Context;

/** What a child workflow task's dependents see: the child's final context, one per element when mapped. */
export type ChildOutput<Into extends string, W, Mapped extends boolean> = {
  [K in Into]: Mapped extends true ? ChildFinal<W>[] : ChildFinal<W>;
};
