/**
 * The dashboard's script, the entry point that ../page/bundle.ts bundles: a hash router over the
 * runs list (`#/`), one run (`#/runs/<id>`, with `?task=<id>` selecting a task) and the
 * schedules (`#/schedules`). Each view draws into the page's main area and returns the function
 * that stops it when the route changes.
 */
import { runView } from "./run-view.js";
import { runsView } from "./runs-view.js";
import { schedulesView } from "./schedules-view.js";

let dispose = () => {};

function route(): void {
  dispose();
  const [hashPath, query = ""] = location.hash.replace(/^#/, "").split("?");
  const path = hashPath || "/";
  const runMatch = /^\/runs\/(.+)$/.exec(path);
  const section = path === "/schedules" ? "schedules" : "runs";
  for (const a of document.querySelectorAll("[data-nav]")) {
    a.classList.toggle("active", a.getAttribute("data-nav") === section);
  }
  const task = new URLSearchParams(query).get("task");
  if (runMatch?.[1] !== undefined) dispose = runView(decodeURIComponent(runMatch[1]), task);
  else if (path === "/schedules") dispose = schedulesView();
  else dispose = runsView();
}

window.addEventListener("hashchange", route);
route();
