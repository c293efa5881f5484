/**
 * Who may use the dashboard. With a token, every request carries it: `Authorization: Bearer
 * <token>`, or `?token=<token>` once (the page then keeps it in an HttpOnly, SameSite=Strict
 * cookie and drops it from the address bar). Tokens are compared in constant time.
 *
 * Two browser attacks are refused whatever the token: a page on another site posting to the API
 * (a cross-origin `Origin`, or `Sec-Fetch-Site: cross-site`), and, when `allowedHosts` is set
 * (serveDashboard on loopback without a token), DNS rebinding: a `Host` header naming anything
 * but the loopback address the server is bound to.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { errorBody } from "./http-error.js";

export const COOKIE_NAME = "cloacina_dashboard";

export interface GuardOptions {
  token?: string | undefined;
  /** Host names (without port) a request's `Host` header may name; any when absent. */
  allowedHosts?: readonly string[] | undefined;
}

/** Constant-time comparison: both sides are hashed first, so their lengths do not leak either. */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

export function guard(options: GuardOptions): MiddlewareHandler {
  const { token, allowedHosts } = options;
  return async (c, next) => {
    if (allowedHosts && !allowedHosts.includes(hostName(c.req.header("host") ?? ""))) {
      return c.json(
        errorBody("FORBIDDEN_HOST", "This dashboard only answers requests addressed to its loopback address."),
        403,
      );
    }
    if (c.req.method !== "GET" && c.req.method !== "HEAD" && isCrossOrigin(c)) {
      return c.json(errorBody("CROSS_ORIGIN_REQUEST", "Requests from other sites are refused."), 403);
    }
    if (token === undefined) return next();

    const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1]?.trim();
    const query = c.req.query("token");
    const cookie = getCookie(c, COOKIE_NAME);
    const given = bearer ?? query ?? cookie;
    if (given === undefined || !tokensEqual(given, token)) {
      c.header("WWW-Authenticate", 'Bearer realm="cloacina"');
      return c.json(
        errorBody(
          "DASHBOARD_UNAUTHORIZED",
          given === undefined
            ? "This dashboard needs its token: open it with ?token=<token> or send Authorization: Bearer <token>."
            : "Wrong token.",
        ),
        401,
      );
    }
    if (query !== undefined && bearer === undefined && c.req.method === "GET") {
      // Keep the token in a cookie (the page's fetches and EventSource send it), then reload the
      // page without it so it stays out of history, logs and Referer headers.
      setCookie(c, COOKIE_NAME, token, {
        httpOnly: true,
        sameSite: "Strict",
        secure: new URL(c.req.url).protocol === "https:",
        path: mountPath(c),
      });
      if (c.req.header("accept")?.includes("text/html")) {
        const url = new URL(c.req.url);
        url.searchParams.delete("token");
        return c.redirect(url.pathname + url.search + url.hash, 303);
      }
    }
    return next();
  };
}

function isCrossOrigin(c: Context): boolean {
  const site = c.req.header("sec-fetch-site");
  if (site === "cross-site" || site === "same-site") return true;
  const origin = c.req.header("origin");
  if (origin === undefined) return false; // not a browser, or a same-origin GET
  try {
    return new URL(origin).host !== c.req.header("host");
  } catch {
    return true; // "null" and other opaque origins
  }
}

/** `127.0.0.1:8080` → `127.0.0.1`, `[::1]:80` → `::1`. */
export function hostName(host: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracketed) return bracketed[1]!.toLowerCase();
  return host.replace(/:\d+$/, "").toLowerCase();
}

/** The path the dashboard is mounted at, for the cookie: the page's path, or the API's prefix. */
function mountPath(c: Context): string {
  const path = c.req.path;
  const api = path.indexOf("/api/");
  const base = api >= 0 ? path.slice(0, api) : path.replace(/\/$/, "");
  return base === "" ? "/" : base;
}
