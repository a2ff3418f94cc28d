import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Runs one of the project's install/build scripts (tools/*.sh) and returns the path it prints. The
 * scripts return at once when their output is cached; a cold build takes minutes and reports progress
 * on stderr, which we pass through.
 */
export async function runToolScript(
  script: 'install-moto.sh' | 'build-kube.sh' | 'build-helm.sh',
): Promise<string> {
  const child = run('bash', [`${projectRoot}tools/${script}`], { maxBuffer: 1 << 20 });
  child.child.stderr?.pipe(process.stderr);
  const { stdout } = await child;
  const path = stdout.trim().split('\n').at(-1);
  if (!path) throw new Error(`tools/${script} printed no path`);
  return path;
}
