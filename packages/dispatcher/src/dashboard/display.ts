/**
 * Context values as the page shows them. Contexts hold what devalue round-trips (Date, BigInt,
 * Map, Set, typed arrays and Buffers, undefined, NaN, -0, RegExp, cycles), none of which JSON
 * carries, so each becomes a tagged object the page pretty-prints:
 *
 * | value | display form |
 * | --- | --- |
 * | `undefined` | `{ "$undefined": true }` |
 * | `NaN`, `Infinity`, `-0` | `{ "$number": "NaN" }` |
 * | `10n` | `{ "$bigint": "10" }` |
 * | a Date | `{ "$date": "2024-01-02T03:04:05.000Z" }` (`"Invalid Date"` when invalid) |
 * | a Map | `{ "$map": [[key, value], ...] }` |
 * | a Set | `{ "$set": [value, ...] }` |
 * | a Buffer or typed array | `{ "$bytes": "<base64>", "type": "Uint8Array", "length": 3 }` |
 * | a RegExp | `{ "$regexp": "/a+/g" }` |
 * | a cycle back to an ancestor | `{ "$circular": true }` |
 * | a plain object with a key starting with `$` | `{ "$object": { ...its entries } }` |
 *
 * Huge values are cut so one context cannot stall the page: strings after {@link MAX_STRING}
 * characters (`{ "$string": "<prefix>", "length": n }`), collections after {@link MAX_ITEMS}
 * entries (then `{ "$more": n }` as the last entry), bytes after {@link MAX_BYTES}, nesting
 * below {@link MAX_DEPTH} (`{ "$deep": true }`).
 */
export type DisplayValue = null | boolean | number | string | DisplayValue[] | { [key: string]: DisplayValue };

export const MAX_STRING = 20_000;
export const MAX_ITEMS = 500;
export const MAX_BYTES = 1024;
export const MAX_DEPTH = 40;

export function toDisplay(value: unknown): DisplayValue {
  return convert(value, [], 0);
}

function convert(value: unknown, ancestors: object[], depth: number): DisplayValue {
  switch (typeof value) {
    case "undefined":
      return { $undefined: true };
    case "boolean":
      return value;
    case "number":
      if (Number.isNaN(value) || !Number.isFinite(value) || Object.is(value, -0))
        return { $number: String(Object.is(value, -0) ? "-0" : value) };
      return value;
    case "bigint":
      return { $bigint: value.toString() };
    case "string":
      return value.length > MAX_STRING ? { $string: value.slice(0, MAX_STRING), length: value.length } : value;
    case "symbol":
      return { $symbol: value.description ?? "" };
    case "function":
      return { $function: value.name };
    case "object":
      break;
  }
  if (value === null) return null;
  if (ancestors.includes(value)) return { $circular: true };
  if (depth >= MAX_DEPTH) return { $deep: true };
  if (value instanceof Date) {
    return { $date: Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString() };
  }
  if (value instanceof RegExp) return { $regexp: String(value) };
  if (ArrayBuffer.isView(value)) return bytes(value);
  const inner = (v: unknown): DisplayValue => convert(v, [...ancestors, value], depth + 1);
  if (Array.isArray(value)) {
    // Array.from reads holes as undefined.
    return capped(Array.from(value as unknown[]), inner);
  }
  if (value instanceof Map) {
    return { $map: capped([...value.entries()], ([k, v]: [unknown, unknown]) => [inner(k), inner(v)]) };
  }
  if (value instanceof Set) return { $set: capped([...value.values()], inner) };
  const entries = Object.entries(value);
  const out: Record<string, DisplayValue> = {};
  for (const [key, v] of entries.slice(0, MAX_ITEMS)) out[key] = inner(v);
  if (entries.length > MAX_ITEMS) out["$more"] = entries.length - MAX_ITEMS;
  // A user's own `{ "$date": ... }` must not read as one of our tags.
  const tagged = entries.some(([key]) => key.startsWith("$")) || entries.length > MAX_ITEMS;
  return tagged ? { $object: out } : out;
}

function capped<T>(items: T[], map: (item: T) => DisplayValue): DisplayValue[] {
  const shown = items.slice(0, MAX_ITEMS).map(map);
  if (items.length > MAX_ITEMS) shown.push({ $more: items.length - MAX_ITEMS });
  return shown;
}

function bytes(view: ArrayBufferView): DisplayValue {
  const type = Buffer.isBuffer(view) ? "Buffer" : view.constructor.name;
  const length = "length" in view && typeof view.length === "number" ? view.length : view.byteLength;
  const raw = Buffer.from(view.buffer, view.byteOffset, Math.min(view.byteLength, MAX_BYTES));
  const form: Record<string, DisplayValue> = { $bytes: raw.toString("base64"), type, length };
  if (view.byteLength > MAX_BYTES) form["truncated"] = true;
  return form;
}
