import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { loadError, writeConfig } from './temp-config.js';

const aws = { region: 'us-east-1' };

describe('store settings', () => {
  it('read a store without kind as the SQLite one, as files written before there was a choice', async () => {
    const file = await writeConfig({ controller: { store: { path: 'db.sqlite' }, aws } });
    const { controller } = await loadConfig({ file });
    expect(controller.store).toEqual({ kind: 'sqlite', path: path.join(path.dirname(file), 'db.sqlite') });
  });

  it('take the kubernetes store with the usual lease timings, and the kubeconfig path made absolute', async () => {
    const file = await writeConfig({
      controller: {
        store: {
          kind: 'kubernetes',
          namespace: 'switchyard',
          kubeconfig: { path: 'mgmt.yaml', context: 'mgmt' },
        },
        aws,
      },
    });
    const { controller } = await loadConfig({ file });
    expect(controller.store).toEqual({
      kind: 'kubernetes',
      namespace: 'switchyard',
      kubeconfig: { path: path.join(path.dirname(file), 'mgmt.yaml'), context: 'mgmt' },
      lease: { name: 'switchyard-leader', duration: 15_000, renewDeadline: 10_000, retryPeriod: 2_000 },
    });
  });

  it('leave SWITCHYARD_STORE_PATH to the SQLite store', async () => {
    const file = await writeConfig({ controller: { store: { kind: 'kubernetes', namespace: 'ops' }, aws } });
    const { controller } = await loadConfig({ file, env: { SWITCHYARD_STORE_PATH: '/tmp/x.db' } });
    expect(controller.store).toMatchObject({ kind: 'kubernetes', namespace: 'ops' });
  });

  it('refuse an unknown kind, a missing namespace, a bad lease and a path on the kubernetes store', async () => {
    const cases: [unknown, string, string][] = [
      [{ kind: 'etcd' }, 'store.kind', 'kind must be "sqlite"'],
      [{ kind: 'kubernetes' }, 'store.namespace', ''],
      [{ kind: 'kubernetes', namespace: 'Ops' }, 'store.namespace', 'must be a namespace name'],
      [
        { kind: 'kubernetes', namespace: 'ops', path: 'x.db' },
        'store.path',
        'unknown key (expected one of: kind, namespace, kubeconfig, lease)',
      ],
      [
        { kind: 'kubernetes', namespace: 'ops', lease: { duration: '1.5s' } },
        'store.lease.duration',
        'whole seconds',
      ],
      [
        { kind: 'kubernetes', namespace: 'ops', lease: { duration: '5s', renewDeadline: '10s' } },
        'store.lease',
        'retryPeriod < renewDeadline < duration',
      ],
    ];
    for (const [store, at, problem] of cases) {
      const file = await writeConfig({ controller: { store, aws } });
      const error = await loadError(file);
      expect(
        error.issues.map((i) => i.path),
        JSON.stringify(store),
      ).toContain(at);
      expect(error.issues.find((i) => i.path === at)?.problem).toContain(problem);
    }
  });
});
