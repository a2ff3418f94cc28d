#!/usr/bin/env node
/**
 * The `switchyard` command. Only --version exists so far; the controller (`serve`) and the commands
 * that drive it arrive with the promotion engine and the REST API.
 */
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
if (args[0] === '--version' || args[0] === 'version') {
  const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  console.log(manifest.version);
} else {
  console.error(`switchyard: unknown command "${args.join(' ')}"; available: --version`);
  process.exitCode = 2;
}
