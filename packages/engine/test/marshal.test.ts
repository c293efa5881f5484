import { isCloacinaError } from "@cloacina/engine";
// Internal: the marshaller the engine uses at every boundary (not part of the public API).
import { decode, encode, MAX_CONTEXT_DEPTH } from "../src/marshal/marshal.js";
import fc from "fast-check";
import { describe, expect, test } from "vitest";

// "__proto__" is the one string key that is refused (tested below).
const key = fc.string().filter((k) => k !== "__proto__");

const roundTrip = (value: unknown) => decode(encode(value, "a test value"));

/** Values the marshaller promises to round-trip. */
const storable = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string(),
    fc.double(), // includes NaN, -0 and infinities
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.bigInt(),
    fc.date({ noInvalidDate: true }),
    fc.uint8Array().map((bytes) => new Uint8Array(bytes)),
    fc.uint8Array().map((bytes) => Buffer.from(bytes)),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(key, tie("value"), { maxKeys: 4 }),
    fc
      .array(fc.tuple(fc.oneof(fc.string(), fc.integer()), tie("value")), { maxLength: 3 })
      .map((entries) => new Map(entries)),
    fc.array(fc.oneof(fc.string(), fc.integer(), fc.bigInt()), { maxLength: 4 }).map((items) => new Set(items)),
  ),
})).value;

describe("marshalling", () => {
  test("round-trips every storable value (property)", () => {
    fc.assert(
      fc.property(fc.dictionary(key, storable), (ctx) => {
        expect(roundTrip(ctx)).toStrictEqual(ctx);
      }),
      { numRuns: 300 },
    );
  });

  test("keeps types that JSON loses", () => {
    const value = {
      date: new Date("2024-02-29T12:00:00Z"),
      big: -(2n ** 100n),
      map: new Map([[{ k: 1 }, "object key"]]),
      set: new Set([new Date(0)]),
      buffer: Buffer.from([1, 2, 3]),
      bytes: new Uint8Array([9]),
      undef: undefined,
      specials: [Number.NaN, -0, Infinity, -Infinity],
      regexp: /a+b/gi,
      url: new URL("https://example.com/x?y=1"),
    };
    const back = roundTrip(value) as typeof value;
    expect(back).toStrictEqual(value);
    expect(back.buffer).toBeInstanceOf(Buffer);
    expect(back.bytes).not.toBeInstanceOf(Buffer);
    expect(Object.is(back.specials[1], -0)).toBe(true);
  });

  test("each decode is a fresh copy", () => {
    const text = encode({ list: [1] }, "x");
    const a = decode(text) as { list: number[] };
    a.list.push(2);
    expect(decode(text)).toEqual({ list: [1] });
  });

  test("keeps shared (non-circular) references", () => {
    const shared = { n: 1 };
    expect(roundTrip({ a: shared, b: [shared] })).toEqual({ a: { n: 1 }, b: [{ n: 1 }] });
  });

  const rejected: [string, unknown, string][] = [
    ["a function", { a: { b: () => 1 } }, "ctx.a.b is a function"],
    ["a symbol", { list: [1, Symbol("s")] }, "ctx.list[1] is a symbol"],
    ["a symbol key", { [Symbol("k")]: 1 }, "a symbol key"],
    [
      "a circular reference",
      (() => {
        const o: Record<string, unknown> = { x: {} };
        (o.x as Record<string, unknown>).back = o;
        return o;
      })(),
      "ctx.x.back is a circular reference",
    ],
    [
      "a class instance",
      {
        when: new (class Money {
          amount = 1;
        })(),
      },
      "ctx.when is an instance of Money",
    ],
    ["an Error", { e: new Error("x") }, "ctx.e is an instance of Error"],
    ["a Map value", { m: new Map([["k", () => 1]]) }, 'ctx.m.get("k") is a function'],
    ["a WeakMap", { w: new WeakMap() }, "ctx.w is an instance of WeakMap"],
    ["a __proto__ key", JSON.parse('{"__proto__": {"polluted": true}}'), 'ctx["__proto__"] is a reserved key'],
    ["an odd key", { "odd key": { f: () => 1 } }, 'ctx["odd key"].f is a function'],
  ];
  test.each(rejected)("rejects %s with the key path", (_what, value, message) => {
    let error: unknown;
    try {
      encode(value, "the input context");
    } catch (e) {
      error = e;
    }
    expect(isCloacinaError(error)).toBe(true);
    expect(error).toMatchObject({ code: "UNSERIALIZABLE_CONTEXT", name: "MarshalError" });
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).toContain("Cannot store the input context");
  });

  test("rejects a value over the size limit with CONTEXT_TOO_LARGE", () => {
    expect(() => encode({ s: "é".repeat(600) }, "ctx", 1000)).toThrow(
      expect.objectContaining({ code: "CONTEXT_TOO_LARGE", message: expect.stringContaining("maxContextBytes") }),
    );
    expect(() => encode({ s: "a".repeat(900) }, "ctx", 1000)).not.toThrow();
  });

  describe(`nesting is limited to ${MAX_CONTEXT_DEPTH} levels`, () => {
    // `levels` containers of one kind inside each other, the outer one included.
    const wrappers: [string, (inner: unknown) => unknown][] = [
      ["objects", (inner) => ({ next: inner })],
      ["arrays", (inner) => [inner]],
      ["maps", (inner) => new Map([["next", inner]])],
      ["sets", (inner) => new Set([inner])],
      ["map keys", (inner) => new Map([[inner, 1]])],
    ];
    const nested = (wrap: (inner: unknown) => unknown, levels: number): unknown => {
      let value: unknown = "leaf";
      for (let i = 0; i < levels; i++) value = wrap(value);
      return value;
    };

    test.each(wrappers)("%s: as deep as the limit round-trips", (_kind, wrap) => {
      const value = nested(wrap, MAX_CONTEXT_DEPTH);
      expect(roundTrip(value)).toStrictEqual(value);
    });

    test.each(wrappers)("%s: one level more, or far more, is CONTEXT_TOO_DEEP, not a stack overflow", (_kind, wrap) => {
      for (const levels of [MAX_CONTEXT_DEPTH + 1, 3_000, 100_000]) {
        let error: unknown;
        try {
          encode(nested(wrap, levels), "the input context");
        } catch (e) {
          error = e;
        }
        expect(isCloacinaError(error)).toBe(true);
        expect(error).toMatchObject({
          code: "CONTEXT_TOO_DEEP",
          name: "MarshalError",
          details: { maxDepth: MAX_CONTEXT_DEPTH },
        });
        const message = (error as Error).message;
        expect(message).toContain(`past the limit of ${MAX_CONTEXT_DEPTH} levels`);
        expect(message).toMatch(/^Cannot store the input context: ctx/);
        expect(message.length).toBeLessThan(600);
      }
    });
  });

  test("refuses stored text it does not understand with CORRUPT_CONTEXT", () => {
    expect(() => decode("garbage")).toThrow(expect.objectContaining({ code: "CORRUPT_CONTEXT" }));
    expect(() => decode("v1:[{")).toThrow(expect.objectContaining({ code: "CORRUPT_CONTEXT" }));
  });
});
