import { fileURLToPath } from "node:url";

// Frames inside the engine itself say nothing useful about where a user declared a task.
const ENGINE_DIR = fileURLToPath(new URL("..", import.meta.url));

/** "file:line:column" of the first stack frame outside the engine: where the user declared a task. */
export function userCallSite(): string {
  const stack = new Error().stack?.split("\n").slice(1) ?? [];
  const frame = stack.find((line) => !line.includes(ENGINE_DIR) && !line.includes("node:internal"));
  return frame?.trim().replace(/^at\s+/, "") ?? "<unknown location>";
}
