#!/usr/bin/env node
/**
 * `cloacina-migrate-postgres <url>`: create or upgrade the tables of the URL's tenant schema.
 * Executors also migrate when they open; this is for deploy pipelines that migrate first.
 */
import { isCloacinaError, redactUrl, redactUrls } from "@cloacina/engine";
import { migrate } from "./index.js";

const url = process.argv[2];
if (url === undefined || process.argv.length > 3 || url === "--help") {
  console.error("usage: cloacina-migrate-postgres <postgres://USER@HOST:5432/DATABASE?schema=NAME>");
  process.exit(2);
}
try {
  await migrate(url);
  console.log(`migrated ${redactUrl(url)}`);
} catch (error) {
  console.error(isCloacinaError(error) ? `${error.code}: ${error.message}` : redactUrls(String(error)));
  process.exit(1);
}
