import { fileURLToPath } from "node:url";

// Frames inside the engine itself say nothing useful about where a user declared a task.
const ENGINE_DIR = fileURLToPath(new URL("..", import.meta.url));

/**
 * Where the user declared a task: "file:line:column" of the first stack frame outside the engine.
 * The stack is captured now but formatted only if asked (for a duplicate-id error): formatting
 * (with source maps under tsx) costs far more than capturing, and most tasks never need it.
 */
export function userCallSite(): () => string {
  const captured = new Error();
  let site: string | undefined;
  return () => {
    if (site === undefined) {
      const stack = captured.stack?.split("\n").slice(1) ?? [];
      const frame = stack.find((line) => !line.includes(ENGINE_DIR) && !line.includes("node:internal"));
      site = frame?.trim().replace(/^at\s+/, "") ?? "<unknown location>";
    }
    return site;
  };
}
