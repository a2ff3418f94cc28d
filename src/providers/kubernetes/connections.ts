import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { type AgentOptions, Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Cluster, KubeConfig } from '@kubernetes/client-node';

/**
 * One agent per cluster and credentials, shared by every request of the process. The client library
 * builds a new agent for every request: a new TLS context (the CA parsed again) and a full handshake
 * each time; with many promotions in flight that cost dominated passes and memory. A shared agent
 * parses once and resumes TLS sessions from its cache, so later connections take the short handshake;
 * rotated credentials (a new client certificate from an exec plugin) get an agent of their own.
 *
 * Sockets are never reused (no keep-alive, and no agent socket limit, under which an agent hands a
 * freed socket to a waiting request): the generated clients fetch through node-fetch 2, which reports
 * a false "Premature close" on a chunked response whose socket goes on to serve another request (seen
 * under load against a real kube-apiserver; test/integration/kubernetes-connections.test.ts). The
 * number of connections open to one cluster is bounded here instead: a request past the bound waits
 * for a connection to close, so a fleet's passes cannot open hundreds of TLS connections at once.
 */
export interface KubeConnections {
  /** Makes this KubeConfig's requests use the shared agents; returns it. Idempotent. */
  share(config: KubeConfig): KubeConfig;
  /** How many agents exist (one per cluster and credentials), for tests and metrics. */
  readonly size: number;
  /** Destroys every agent and its sockets (at shutdown). */
  close(): void;
}

/** Connections open to one cluster (per credentials) at a time; more requests wait for one to close. */
export const maxConnectionsPerCluster = 16;

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
          const common = { keepAlive: false };
          if (cluster?.server?.startsWith('http:')) {
            // The library refuses plain HTTP without skipTLSVerify: its own factory keeps that check.
            own(cluster, options);
            agent = new HttpAgent(common);
          } else {
            // Without one, every connection builds its own TLS context from the PEMs (tls.connect does),
            // which is slow and allocates a lot natively: one context per agent instead.
            agent = new HttpsAgent({ ...options, ...common, ...secureContextOf(options) });
          }
          agents.set(key, limitConnections(agent, maxConnectionsPerCluster));
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

/** A TLS context from the kubeconfig's PEMs; unreadable ones are left for each connection to report. */
function secureContextOf(options: AgentOptions): { secureContext?: SecureContext } {
  try {
    return { secureContext: createSecureContext(options) };
  } catch {
    return {};
  }
}

type Connect = (
  options: object,
  callback: (error: Error | null, socket?: Socket) => void,
) => Socket | undefined;

/**
 * Opens at most `max` connections at a time through the agent. An agent may build its connection
 * through a callback; this one calls back once a connection slot is free, and frees the slot when the
 * socket closes (normally right after the answer, as sockets are not kept alive).
 */
function limitConnections<A extends HttpAgent>(agent: A, max: number): A {
  const target = agent as unknown as { createConnection: Connect };
  const connect = target.createConnection.bind(agent);
  const waiting: (() => void)[] = [];
  let open = 0;
  const release = () => {
    open--;
    waiting.shift()?.();
  };
  target.createConnection = (options, callback) => {
    const start = () => {
      open++;
      let socket: Socket | undefined;
      try {
        socket = connect(options, () => undefined);
      } catch (error) {
        release();
        callback(error as Error);
        return;
      }
      if (socket === undefined) {
        release();
        callback(new Error('the agent did not open a connection'));
        return;
      }
      socket.once('close', release);
      callback(null, socket);
    };
    if (open < max) start();
    else waiting.push(start);
    return undefined;
  };
  return agent;
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
