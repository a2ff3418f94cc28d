import { describe, expect, it } from 'vitest';
import { runServer, type Serve } from '../../../src/cli/serve-entry.js';

describe('switchyard serve', () => {
  it('starts the controller with the config file and env, prints its URL, and closes it on a signal', async () => {
    const calls: string[] = [];
    const lines: string[] = [];
    const serve: Serve = async (options) => {
      calls.push(`serve ${options.configFile} ${options.env.AWS_REGION}`);
      return { url: 'http://127.0.0.1:8080', close: async () => void calls.push('close') };
    };
    let stop: (signal: string) => void = () => {};
    const running = runServer({
      configFile: 'config/controller.yaml',
      env: { AWS_REGION: 'eu-west-1' },
      say: (line) => lines.push(line),
      load: async () => serve,
      until: () => new Promise((resolve) => (stop = resolve)),
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(calls).toEqual(['serve config/controller.yaml eu-west-1']);
    expect(lines).toEqual([
      'switchyard controller listening on http://127.0.0.1:8080 (config config/controller.yaml)',
    ]);
    stop('SIGTERM');
    await running;
    expect(calls.at(-1)).toBe('close');
    expect(lines.at(-1)).toBe('SIGTERM: shutting down');
  });
});
