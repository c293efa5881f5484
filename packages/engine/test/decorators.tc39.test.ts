// Lowered by vitest.config.ts in TC39 standard-decorator mode (no ".legacy." in the file name).
import { globalRegistry, task, taskClass, type TaskRunInfo } from "@cloacina/engine";
import { expect, test } from "vitest";

let decoratorArity = 0;
function probe(...args: unknown[]): void {
  decoratorArity = args.length;
}

class Static {
  static base = 10;

  @task({ id: "tc39.static" })
  static double(ctx: { n: number }) {
    return { v: ctx.n * 2 + this.base };
  }

  @probe
  static probed() {}
}

@taskClass()
class WithInstance {
  factor = 3;

  @task({ id: "tc39.instance" })
  triple(ctx: { n: number }) {
    return { v: ctx.n * this.factor };
  }
}

class Unbound {
  @task({ id: "tc39.unbound" })
  method() {
    return {};
  }
}

const info = { attempt: 1 } as TaskRunInfo;
const invoke = (id: string, ctx: Record<string, unknown>) => globalRegistry().task(id)!.invoke(ctx, info);

test("this file really runs standard decorators", () => {
  expect(decoratorArity).toBe(2);
});

test("@task on a static method registers it, with `this` bound to the class", () => {
  expect(globalRegistry().task("tc39.static")).toMatchObject({ id: "tc39.static", dependsOn: [] });
  expect(invoke("tc39.static", { n: 4 })).toEqual({ v: 18 });
  expect(Static.double({ n: 1 })).toEqual({ v: 12 }); // the method itself is untouched
});

test("@task on an instance method runs on the one instance @taskClass() creates", () => {
  expect(invoke("tc39.instance", { n: 4 })).toEqual({ v: 12 });
  expect(new WithInstance().triple({ n: 1 })).toEqual({ v: 3 });
});

test("an instance-method task without @taskClass() and no instance fails with a clear error", () => {
  expect(() => invoke("tc39.unbound", {})).toThrow(
    expect.objectContaining({ code: "INVALID_TASK_DECORATOR", message: expect.stringContaining("@taskClass()") }),
  );
  new Unbound(); // constructing one instance binds it
  expect(invoke("tc39.unbound", {})).toEqual({});
});

test("@task on something other than a method is INVALID_TASK_DECORATOR", () => {
  expect(() => {
    class Bad {
      // @ts-expect-error: a field is not a method
      @task({ id: "tc39.field" }) field = 1;
    }
    return Bad;
  }).toThrow(expect.objectContaining({ code: "INVALID_TASK_DECORATOR" }));
});

class Dependent {
  @task({ id: "tc39.after-static", dependsOn: [Static.double] })
  static after(ctx: { v: number }) {
    return { w: ctx.v + 1 };
  }

  // eslint-disable-next-line @typescript-eslint/unbound-method -- a reference, never called unbound
  @task({ id: "tc39.after-instance", dependsOn: [WithInstance.prototype.triple] })
  static afterInstance() {
    return {};
  }
}

test("a decorated method (static or instance) is a reference: dependsOn resolves it to its task's id", () => {
  expect(globalRegistry().task("tc39.after-static")!.dependsOn).toEqual(["tc39.static"]);
  expect(globalRegistry().task("tc39.after-instance")!.dependsOn).toEqual(["tc39.instance"]);
  void Dependent;
});
