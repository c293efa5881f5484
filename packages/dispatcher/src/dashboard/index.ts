/**
 * The web dashboard: runs, their DAGs live, tasks' attempts, errors and contexts, cancel and
 * retry, schedules. `dashboardApp` is a hono app to mount; `serveDashboard` serves it alone.
 */
export { dashboardApp, type DashboardOptions } from "./app.js";
export { serveDashboard, type ServeDashboardOptions, type RunningDashboard, DEFAULT_PORT } from "./serve.js";
export { DashboardError, type DashboardErrorCode, DashboardOptionsError } from "./http-error.js";
export { toDisplay, type DisplayValue } from "./display.js";
export { layoutDag, type DagLayout } from "./layout.js";
