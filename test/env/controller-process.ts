/**
 * `switchyard serve` as a separate process, the way people run it: built CLI, config file, environment.
 * Its log goes to a file in the world's folder.
 */
import { join } from 'node:path';
import { type ServerProcess, startServer, waitUntilReady } from './server-process.js';
import { projectRoot } from './tools.js';

export const cliEntry = join(projectRoot, 'dist/src/cli/main.js');

export async function startController(
  world: { configFile: string; dir: string; url: string; env: Record<string, string> },
  name = 'controller',
  /** Flags for Node itself, e.g. --cpu-prof (which NODE_OPTIONS does not accept). */
  nodeArgs: readonly string[] = [],
): Promise<ServerProcess> {
  const args = [...nodeArgs, cliEntry, 'serve', '--config', world.configFile];
  const controller = startServer(name, process.execPath, args, {
    logFile: join(world.dir, `${name}.log`),
    env: { ...process.env, ...world.env },
  });
  await waitUntilReady(controller, 'ready', async () => (await fetch(`${world.url}/readyz`)).ok, 60_000);
  return controller;
}
