#!/usr/bin/env node
/** The `cloacina` executable. */
import { runCli } from "./program.js";

const code = await runCli(process.argv);
// Exit now: a user module may hold handles open (timers, sockets) after the command finished.
process.exit(code);
