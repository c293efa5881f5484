/**
 * Context values pretty-printed from their display form (the server's display.ts): `Date(…)`,
 * `12n`, `Map { "a" => 1 }`. Nested or long collections fold into a <details>.
 */
import { append, h } from "./dom.js";
import { fmtTime } from "./format.js";
import type { DisplayValue, TaggedFields } from "./wire.js";

type PlainObject = { [key: string]: DisplayValue };

/** One line of a collection: an array or set item, an object's key, or a map's key (itself a value). */
type Entry =
  | { kind: "item"; value: DisplayValue }
  | { kind: "key"; key: string; value: DisplayValue }
  | { kind: "map"; key: DisplayValue; value: DisplayValue };

/** A value in its `.value` box. */
export function valueBox(v: DisplayValue): HTMLDivElement {
  return h("div", { class: "value" }, renderValue(v, 0));
}

export function span(cls: string, text: string): HTMLSpanElement {
  return h("span", { class: cls }, text);
}

/** The tag of a tagged display value (its first key, when it starts with "$"), else null. */
function tagOf(v: DisplayValue): string | null {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return null;
  const k = Object.keys(v)[0];
  return k !== undefined && k.startsWith("$") ? k : null;
}

export function renderValue(v: DisplayValue, depth: number): HTMLElement {
  if (v === null) return span("v-null", "null");
  if (typeof v === "string") return span("v-str", JSON.stringify(v));
  if (typeof v === "number") return span("v-num", String(v));
  if (typeof v === "boolean") return span("v-bool", String(v));
  if (Array.isArray(v)) {
    return block("Array(" + v.length + ")", "[", "]", v.map(item), depth);
  }
  const tag = tagOf(v);
  // The server sends each tag with its fields (display.ts); read them as such.
  const t = v as unknown as TaggedFields;
  switch (tag) {
    case "$undefined":
      return span("v-undef", "undefined");
    case "$number":
      return span("v-num", t.$number);
    case "$bigint":
      return span("v-num", t.$bigint + "n");
    case "$date":
      return h("span", { class: "v-date", title: fmtTime(t.$date) }, "Date(" + t.$date + ")");
    case "$regexp":
      return span("v-tag", t.$regexp);
    case "$circular":
      return span("v-tag", "[Circular]");
    case "$deep":
      return span("v-tag", "[…]");
    case "$more":
      return span("v-null", "… " + t.$more + " more");
    case "$symbol":
      return span("v-tag", "Symbol(" + t.$symbol + ")");
    case "$function":
      return span("v-tag", "[Function " + t.$function + "]");
    case "$string":
      return h(
        "span",
        null,
        span("v-str", JSON.stringify(t.$string)),
        span("v-null", " … (" + t.length + " characters)"),
      );
    case "$bytes":
      return h(
        "span",
        null,
        span("v-tag", t.type + "(" + t.length + ") "),
        span("v-str", t.$bytes),
        t.truncated ? span("v-null", " …") : null,
      );
    case "$map":
      return block(
        "Map(" + t.$map.length + ")",
        "Map {",
        "}",
        t.$map.map(([key, value]) => ({ kind: "map", key, value })),
        depth,
      );
    case "$set":
      return block("Set(" + t.$set.length + ")", "Set [", "]", t.$set.map(item), depth);
    case "$object":
      return objectBlock(t.$object, depth);
    case null:
      return objectBlock(v, depth);
    default:
      return span("v-tag", JSON.stringify(v));
  }
}

function item(value: DisplayValue): Entry {
  return { kind: "item", value };
}

function objectBlock(obj: PlainObject, depth: number): HTMLElement {
  const keys = Object.keys(obj);
  const entries = keys.map((key): Entry => ({ kind: "key", key, value: obj[key] ?? null }));
  return block("{…} " + keys.length + " keys", "{", "}", entries, depth);
}

function block(summary: string, open: string, close: string, entries: Entry[], depth: number): HTMLElement {
  if (entries.length === 0) return span("v-punct", open + close);
  const rows = entries.map((entry) => {
    const row = h("div", { class: "row" });
    if (entry.kind === "map") append(row, [renderValue(entry.key, depth + 1), span("v-punct", " => ")]);
    else if (entry.kind === "key") {
      const key = /^[A-Za-z_$][\w$]*$/.test(entry.key) ? entry.key : JSON.stringify(entry.key);
      append(row, [span("v-key", key), span("v-punct", ": ")]);
    }
    append(row, [renderValue(entry.value, depth + 1)]);
    return row;
  });
  const body = h("span", null, span("v-punct", open), rows, span("v-punct", close));
  if (depth >= 2 || entries.length > 30) {
    return h("details", null, h("summary", null, summary), body);
  }
  return body;
}
