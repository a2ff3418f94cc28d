import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { type AgentOptions, Agent as HttpsAgent } from 'node:https';
import type { Cluster, KubeConfig } from '@kubernetes/client-node';

/**
 * Keep-alive connections to the clusters, shared by every request of the process. The client library
 * builds a new agent for every request (a new TLS context, handshake and socket each time); with many
 * promotions in flight that cost dominated passes and memory. Here each distinct (server, TLS material)
 * gets one keep-alive agent, so requests to a cluster reuse its connections, and rotated credentials
 * (a new client certificate from an exec plugin) get a new agent of their own.
 */
export interface KubeConnections {
  /** Makes this KubeConfig's requests use the shared agents; returns it. Idempotent. */
  share(config: KubeConfig): KubeConfig;
  /** How many agents exist (one per cluster and credentials), for tests and metrics. */
  readonly size: number;
  /** Closes every kept-alive connection (at shutdown). */
  close(): void;
}

/** At most this many connections per cluster; more requests wait for a free one. */
export const maxSocketsPerCluster = 32;

type CreateAgent = (cluster: Cluster | null, options: AgentOptions) => HttpAgent | HttpsAgent;

const shared = new WeakSet<KubeConfig>();

export function createKubeConnections(): KubeConnections {
  const agents = new Map<string, HttpAgent | HttpsAgent>();
  return {
    share(config) {
      if (shared.has(config)) return config;
      // createAgent is the library's (TS-private) per-request factory, called by both of its request
      // paths (generated APIs and applyToHTTPSOptions); replaced on this instance only.
      const target = config as unknown as { createAgent: CreateAgent };
      const own = target.createAgent.bind(config);
      target.createAgent = (cluster, options) => {
        // A proxy gets the library's own agent, as before.
        if (cluster?.proxyUrl) return own(cluster, options);
        const key = agentKey(cluster, options);
        let agent = agents.get(key);
        if (agent === undefined) {
          const common = { keepAlive: true, maxSockets: maxSocketsPerCluster };
          if (cluster?.server?.startsWith('http:')) {
            // The library refuses plain HTTP without skipTLSVerify: its own factory keeps that check.
            own(cluster, options);
            agent = new HttpAgent(common);
          } else {
            agent = new HttpsAgent({ ...options, ...common });
          }
          agents.set(key, agent);
        }
        return agent;
      };
      shared.add(config);
      return config;
    },
    get size() {
      return agents.size;
    },
    close() {
      for (const agent of agents.values()) agent.destroy();
      agents.clear();
    },
  };
}

/** Server plus a digest of everything that decides the TLS session (CA, client certificate, checks). */
function agentKey(cluster: Cluster | null, options: AgentOptions): string {
  const digest = createHash('sha256');
  for (const part of [options.ca, options.cert, options.key, options.pfx, options.passphrase]) {
    digest.update(part === undefined ? '-' : String(part));
    digest.update('\0');
  }
  return [
    cluster?.server ?? '',
    String(options.rejectUnauthorized),
    options.servername ?? '',
    digest.digest('hex'),
  ].join('|');
}
