import { KubeConfig } from '@kubernetes/client-node';

/** Where a cluster's credentials come from: a kubeconfig file and the context to use in it. */
export interface KubeconfigSource {
  readonly path: string;
  readonly context: string;
}

/** Loads a kubeconfig and selects a context, failing with the file and context named when it is absent. */
export function loadKubeConfig(source: KubeconfigSource): KubeConfig {
  const config = new KubeConfig();
  try {
    config.loadFromFile(source.path);
  } catch (error) {
    throw new Error(
      `cannot read kubeconfig ${source.path}: ${error instanceof Error ? error.message : error}`,
    );
  }
  if (!config.getContextObject(source.context)) {
    const known = config.getContexts().map((c) => c.name);
    throw new Error(
      `kubeconfig ${source.path} has no context "${source.context}" (it has: ${known.join(', ') || 'none'})`,
    );
  }
  config.setCurrentContext(source.context);
  return config;
}
