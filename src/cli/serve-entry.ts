/**
 * Runs the controller in the foreground for `switchyard serve`. The controller module is imported
 * only here and only when serving: it brings the AWS SDK, the Kubernetes client and SQLite, which the
 * other commands never need, and loading them would slow every `switchyard status`.
 */
export type Serve = typeof import('../server/serve.js').serve;

async function loadServe(): Promise<Serve> {
  return (await import('../server/serve.js')).serve;
}

/** Resolves on the first SIGINT or SIGTERM; a second one gets Node's default (exit at once). */
function shutdownSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export interface ServeOptions {
  readonly configFile: string;
  readonly env: Record<string, string | undefined>;
  readonly say: (line: string) => void;
  /** Injected by tests; by default the real module and the process's signals. */
  readonly load?: () => Promise<Serve>;
  readonly until?: () => Promise<string>;
}

export async function runServer(options: ServeOptions): Promise<void> {
  const serve = await (options.load ?? loadServe)();
  // A Ctrl-C during startup keeps Node's default (exit at once): there is nothing to close yet.
  const server = await serve({ configFile: options.configFile, env: options.env });
  options.say(`switchyard controller listening on ${server.url} (config ${options.configFile})`);
  const signal = await (options.until ?? shutdownSignal)();
  options.say(`${signal}: shutting down`);
  await server.close();
}
