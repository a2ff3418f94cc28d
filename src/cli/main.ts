#!/usr/bin/env node
/**
 * The `switchyard` bin. All behaviour is in run.ts; this file only hands it the real process
 * (and is the one place the CLI reads process.env).
 */
import { run } from './run.js';

process.exitCode = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
