/**
 * `@cloacina/engine/internal`: helpers shared by Cloacina's own packages (the dispatcher's CLI).
 * No stability promise: not for applications.
 */
export { closestMatch } from "./workflow/did-you-mean.js";
