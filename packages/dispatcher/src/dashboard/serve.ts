/**
 * `serveDashboard`: the dashboard on its own HTTP server (what `cloacina dashboard` runs).
 * Loopback only unless a token is given.
 */
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { isIP } from "node:net";
import type { Executor } from "@cloacina/engine";
import { serve } from "@hono/node-server";
import { dashboardApp } from "./app.js";
import { DashboardOptionsError } from "./http-error.js";

export interface ServeDashboardOptions {
  executor: Executor;
  /** Interface to bind. Default `127.0.0.1`; any other (non-loopback) host needs `token`. */
  host?: string;
  /** Default 7420; 0 picks a free port (see the returned `url`). */
  port?: number;
  /** Required when `host` is not a loopback address. */
  token?: string;
}

export interface RunningDashboard {
  /** `http://host:port/`, without the token. */
  url: string;
  /** Stops listening and closes open connections (live event streams included). */
  close(): Promise<void>;
}

export const DEFAULT_PORT = 7420;
const LOOPBACK_NAMES = ["127.0.0.1", "localhost", "::1"];

export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  return h === "localhost" || h === "::1" || (isIP(h) === 4 && h.startsWith("127."));
}

/**
 * ```ts
 * const dashboard = await serveDashboard({ executor });
 * console.log(dashboard.url); // http://127.0.0.1:7420/
 * ```
 */
export async function serveDashboard(options: ServeDashboardOptions): Promise<RunningDashboard> {
  const { executor, host = "127.0.0.1", port = DEFAULT_PORT, token } = options;
  if (typeof host !== "string" || host.trim() === "")
    throw new DashboardOptionsError("host must be a non-empty string.");
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new DashboardOptionsError(`port must be an integer from 0 to 65535, not ${String(port)}.`);
  }
  if (token !== undefined && (typeof token !== "string" || token.trim() === "" || /\s/.test(token))) {
    throw new DashboardOptionsError("token must be a non-empty string without whitespace.");
  }
  const loopback = isLoopback(host);
  if (!loopback && token === undefined) {
    throw new DashboardOptionsError(
      `The dashboard would listen on ${host}, which other machines can reach, without a token. ` +
        `Pass a token (cloacina dashboard --token <secret>, or CLOACINA_DASHBOARD_TOKEN), or bind to 127.0.0.1.`,
    );
  }
  const app = dashboardApp(executor, {
    ...(token === undefined ? {} : { token }),
    // Without a token, loopback is the only protection: refuse other Host names (DNS rebinding).
    ...(token === undefined ? { allowedHosts: [...new Set([...LOOPBACK_NAMES, host.toLowerCase()])] } : {}),
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port }) as Server;
    s.once("listening", () => {
      s.off("error", reject);
      resolve(s);
    });
    s.once("error", reject);
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === "IPv6" || address.address.includes(":") ? `[${address.address}]` : address.address;
  const urlHost = address.address === "0.0.0.0" ? "127.0.0.1" : address.address === "::" ? "[::1]" : shown;
  return {
    url: `http://${urlHost}:${address.port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
