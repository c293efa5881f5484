// Lowered by vitest.config.ts with experimentalDecorators (".legacy." in the file name).
import "reflect-metadata";
import { globalRegistry, task, taskClass, type TaskRunInfo } from "@cloacina/engine";
import { expect, test } from "vitest";

let decoratorArity = 0;
function probe(...args: unknown[]): void {
  decoratorArity = args.length;
}

class Static {
  static base = 10;

  @task({ id: "legacy.static", retry: { maxAttempts: 2 } })
  static double(ctx: { n: number }) {
    return { v: ctx.n * 2 + this.base };
  }

  @probe
  static probed() {}
}

let constructed = 0;
class Lazy {
  factor = 3;
  constructor() {
    constructed++;
  }

  @task({ id: "legacy.instance" })
  triple(ctx: { n: number }) {
    return { v: ctx.n * this.factor };
  }

  @task({ id: "legacy.instance2" })
  quadruple(ctx: { n: number }) {
    return { v: ctx.n * this.factor + 1 };
  }
}

@taskClass()
class Eager {
  @task({ id: "legacy.eager" })
  run() {
    return { eager: this instanceof Eager };
  }
}

const info = { attempt: 1 } as TaskRunInfo;
const invoke = (id: string, ctx: Record<string, unknown>) => globalRegistry().task(id)!.invoke(ctx, info);

test("this file really runs legacy decorators", () => {
  expect(decoratorArity).toBe(3);
});

test("@task on a static method registers it, with `this` bound to the class", () => {
  expect(globalRegistry().task("legacy.static")?.retry.maxAttempts).toBe(2);
  expect(invoke("legacy.static", { n: 4 })).toEqual({ v: 18 });
  expect(Static.double({ n: 1 })).toEqual({ v: 12 });
});

test("instance-method tasks share one instance, created on first use with no arguments", () => {
  expect(constructed).toBe(0);
  expect(invoke("legacy.instance", { n: 4 })).toEqual({ v: 12 });
  expect(invoke("legacy.instance2", { n: 4 })).toEqual({ v: 13 });
  expect(constructed).toBe(1);
  void Lazy;
});

test("@taskClass() is accepted (and optional) in legacy mode", () => {
  expect(Eager.name).toBe("Eager");
  expect(invoke("legacy.eager", {})).toEqual({ eager: true });
});

test("nothing depends on emitted design-type metadata", () => {
  expect(Reflect.getMetadata("design:paramtypes", Static, "double")).toBeUndefined();
});

class Dependent {
  @task({ id: "legacy.after-static", dependsOn: [Static.double] })
  static after(ctx: { v: number }) {
    return { w: ctx.v + 1 };
  }

  // eslint-disable-next-line @typescript-eslint/unbound-method -- a reference, never called unbound
  @task({ id: "legacy.after-instance", dependsOn: [Lazy.prototype.triple, "legacy.eager"] })
  static afterInstance() {
    return {};
  }
}

test("a decorated method (static or instance) is a reference: dependsOn resolves it to its task's id", () => {
  expect(globalRegistry().task("legacy.after-static")!.dependsOn).toEqual(["legacy.static"]);
  expect(globalRegistry().task("legacy.after-instance")!.dependsOn).toEqual(["legacy.instance", "legacy.eager"]);
  void Dependent;
});
