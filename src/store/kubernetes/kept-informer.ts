import type { Informer, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';

/**
 * Keeps an informer running: when its watch fails it is started again after `delayMs` (it lists again,
 * so what was missed meanwhile arrives as events), until `stop`. `what` names it in the log.
 */
export function keepInformerRunning<T extends KubernetesObject>(
  informer: Informer<T>,
  options: { readonly what: string; readonly log: Logger; readonly delayMs: number },
): { readonly stopped: () => boolean; stop(): Promise<void> } {
  let stopped = false;
  let restartTimer: NodeJS.Timeout | undefined;
  informer.on('error', (error: unknown) => {
    if (stopped) return;
    options.log.warn({ err: error }, `store: the ${options.what} watch failed; watching again`);
    restartTimer = setTimeout(() => {
      informer
        .start()
        .catch((e: unknown) =>
          options.log.warn({ err: e }, `store: could not restart the ${options.what} watch`),
        );
    }, options.delayMs);
  });
  return {
    stopped: () => stopped,
    async stop() {
      stopped = true;
      clearTimeout(restartTimer);
      await informer.stop();
    },
  };
}
