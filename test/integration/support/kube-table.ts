import { request } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export interface KubeTable {
  readonly columnDefinitions: readonly { readonly name: string; readonly priority: number }[];
  readonly rows: readonly { readonly cells: readonly unknown[] }[];
}

/**
 * A list as `kubectl get` asks for it: a meta.k8s.io Table whose columns are the CRD's printer columns.
 * The generated clients fix the Accept header, so this is a plain GET with the kubeconfig's credentials.
 */
export async function getTable(config: KubeConfig, path: string): Promise<KubeTable> {
  const server = config.getCurrentCluster()?.server ?? '';
  const options: { headers: Record<string, string> } = {
    headers: { Accept: 'application/json;as=Table;g=meta.k8s.io;v=v1' },
  };
  await config.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    request(new URL(path, server), options, (response) => {
      let text = '';
      response.on('data', (chunk) => {
        text += chunk;
      });
      response.on('end', () =>
        response.statusCode === 200
          ? resolve(JSON.parse(text))
          : reject(new Error(`GET ${path}: ${response.statusCode} ${text}`)),
      );
    })
      .on('error', reject)
      .end();
  });
}

/** The default columns (priority 0) of each row, by column name. */
export function tableRows(table: KubeTable): Record<string, unknown>[] {
  return table.rows.map((row) =>
    Object.fromEntries(
      table.columnDefinitions
        .map((column, i) => [column, row.cells[i]] as const)
        .filter(([column]) => column.priority === 0)
        .map(([column, cell]) => [column.name, cell]),
    ),
  );
}
