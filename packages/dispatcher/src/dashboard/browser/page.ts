/** The fixed parts of the page (page/html.ts): where the app is mounted, the main area, the live indicator. */
import { byId } from "./dom.js";

/** The path the app is mounted at, without a trailing slash ("" at the root). */
export const base = document.querySelector('meta[name="cloacina-base"]')?.getAttribute("content") || "";

/** Each view replaces this element's children. */
export const main = byId("main");

const live = byId("live");

/** The header's live indicator: state "on" (green), "off" (amber) or "" (grey), and its label. */
export function setLive(state: "on" | "off" | "", text: string): void {
  live.className = "live " + state;
  live.textContent = text;
}
