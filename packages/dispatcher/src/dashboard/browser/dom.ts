/**
 * Building DOM nodes. Every value from the server reaches the DOM through textContent (a child
 * string becomes a text node) or setAttribute, never through innerHTML: a context string holding
 * markup is shown as text. (eslint.config.js forbids the HTML sinks in this folder.)
 */

/** What a node's children may be: nodes, text, nothing (skipped), or nested lists of those. */
export type Child = Node | string | number | null | undefined | false | readonly Child[];

type AttributeValue = string | number | boolean | null | undefined;
/** Attributes; `class` sets className, `on<event>` with a function adds a listener. */
export type Props = Record<string, AttributeValue | ((event: Event) => void)>;

/** An HTML element: `h("td", { class: "mono" }, text)`. Attributes that are null, undefined or false are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Props | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === "function") {
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    } else if (k === "class") el.className = String(v);
    else el.setAttribute(k, String(v));
  }
  return append(el, children);
}

const SVG = "http://www.w3.org/2000/svg";

/** An SVG element: `s("rect", { x, y, width, height })`. */
export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs?: Record<string, string | number> | null,
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs ?? {})) el.setAttribute(k, String(v));
  return append(el, children);
}

/** Appends children (flattening lists, skipping null, undefined and false); returns `el`. */
export function append<E extends Element>(el: E, children: readonly Child[]): E {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (isList(c)) append(el, c);
    else el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function isList(c: Child): c is readonly Child[] {
  return Array.isArray(c);
}

/** The element with this id, which the page's HTML (page/html.ts) always has. */
export function byId(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`The dashboard page has no #${id} element.`);
  return el;
}
