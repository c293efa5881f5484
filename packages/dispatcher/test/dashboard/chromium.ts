/**
 * The system's Chromium for the browser test (playwright-core downloads no browser of its own).
 * Like the PostgreSQL tests: the browser test skips, with one line saying what to install, only
 * when no Chromium is found and CLOACINA_REQUIRE_BROWSER is unset; CI sets it, so there it fails.
 */
import { accessSync, constants } from "node:fs";

export const CHROMIUM = process.env.CLOACINA_CHROMIUM || "/usr/bin/chromium";

function probe(): string | undefined {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}

const unavailable = probe();
if (unavailable && process.env.CLOACINA_REQUIRE_BROWSER) {
  throw new Error(
    `CLOACINA_REQUIRE_BROWSER is set but there is no Chromium at ${CHROMIUM} (${unavailable}): ` +
      "`apt-get install -y chromium`, or set CLOACINA_CHROMIUM to its path.",
  );
}
if (unavailable) {
  console.warn(
    `browser tests skipped: no Chromium found at ${CHROMIUM} (set CLOACINA_CHROMIUM or ` +
      "`apt-get install chromium`); set CLOACINA_REQUIRE_BROWSER=1 to fail instead",
  );
}
/** True when the browser tests must skip (no Chromium, and not required). */
export const skipBrowser = unavailable !== undefined;
