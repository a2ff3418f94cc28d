import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { type AgentOptions, Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import {
  type Cluster,
  createConfiguration,
  type KubeConfig,
  ServerConfiguration,
} from '@kubernetes/client-node';
import { keepAliveHttpLibrary } from './http-library.js';

/**
 * One set of agents per cluster and credentials, shared by every request of the process. The client
 * library builds a new agent for every request: a new TLS context (the CA parsed again) and a full
 * handshake each time; with many promotions in flight that cost dominated passes and memory. Shared
 * agents parse once; rotated credentials (a new client certificate from an exec plugin) get agents
 * of their own.
 *
 * Two agents each, with one TLS context:
 * - the generated API clients (every get, list, create, patch) send through keepAliveHttpLibrary on a
 *   keep-alive agent, and so does the services' JSON client (keptAliveAgent), so a pass's requests
 *   reuse a few open connections instead of shaking hands for each one;
 * - the library's other paths (watches and informers) fetch through node-fetch 2, which reports a
 *   false "Premature close" on a chunked response whose socket goes on to serve another request
 *   (test/integration/kubernetes-connections.test.ts), so their agent never reuses a socket.
 * Connections open to one cluster are bounded per agent: a request past the bound waits for one.
 */
export interface KubeConnections {
  /** Makes this KubeConfig's requests use the shared agents; returns it. Idempotent. */
  share(config: KubeConfig): KubeConfig;
  /** How many agents exist (one per cluster and credentials), for tests and metrics. */
  readonly size: number;
  /** How many connections have been opened so far, over every agent (each one a TLS handshake). */
  readonly opened: number;
  /** Destroys every agent and its sockets (at shutdown). */
  close(): void;
}

/** Connections open to one cluster (per credentials and agent) at a time; more requests wait for one. */
export const maxConnectionsPerCluster = 16;

/**
 * How long a kept-alive connection may stay idle before this side closes it: well under the idle
 * timeouts in front of EKS API servers (350 s for an NLB), so the server rarely closes one first.
 */
export const idleConnectionMs = 30_000;

type CreateAgent = (cluster: Cluster | null, options: AgentOptions) => HttpAgent | HttpsAgent;

const shared = new WeakSet<KubeConfig>();

/** Each shared agent's keep-alive twin (same TLS context and credentials), for request/response calls. */
const keptAlive = new WeakMap<HttpAgent, HttpAgent>();

/**
 * The kept-alive agent to send one request/response call with, for the agent a shared KubeConfig
 * handed out (applyToHTTPSOptions, applySecurityAuthentication); any other agent is returned as it is.
 * Never for a watch or other long stream read through node-fetch (see above).
 */
export function keptAliveAgent<A extends HttpAgent | undefined>(agent: A): HttpAgent | A {
  return (agent && keptAlive.get(agent)) ?? agent;
}

export function createKubeConnections(): KubeConnections {
  const agents = new Map<string, HttpAgent | HttpsAgent>();
  const http = keepAliveHttpLibrary(keptAliveAgent);
  const twins: HttpAgent[] = [];
  let opened = 0;
  const count = () => {
    opened++;
  };
  return {
    share(config) {
      if (shared.has(config)) return config;
      // The library's makeApiClient, with this transport instead of its node-fetch one.
      const clients = config as unknown as { makeApiClient: KubeConfig['makeApiClient'] };
      clients.makeApiClient = (type) => {
        const cluster = config.getCurrentCluster();
        if (!cluster) throw new Error('No active cluster!');
        const server = new ServerConfiguration<Record<string, string>>(cluster.server, {});
        return new type(
          createConfiguration({ baseServer: server, authMethods: { default: config }, httpApi: http }),
        );
      };
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
          const once = { keepAlive: false };
          const pooled = { keepAlive: true, maxSockets: maxConnectionsPerCluster, timeout: idleConnectionMs };
          let twin: HttpAgent;
          if (cluster?.server?.startsWith('http:')) {
            // The library refuses plain HTTP without skipTLSVerify: its own factory keeps that check.
            own(cluster, options);
            agent = new HttpAgent(once);
            twin = new HttpAgent(pooled);
          } else {
            // Without one, every connection builds its own TLS context from the PEMs (tls.connect does),
            // which is slow and allocates a lot natively: one context for both agents instead.
            const tls = { ...options, ...secureContextOf(options) };
            agent = new HttpsAgent({ ...tls, ...once });
            twin = new HttpsAgent({ ...tls, ...pooled });
          }
          keptAlive.set(agent, countConnections(twin, count));
          twins.push(twin);
          agents.set(key, limitConnections(countConnections(agent, count), maxConnectionsPerCluster));
        }
        return agent;
      };
      shared.add(config);
      return config;
    },
    get size() {
      return agents.size;
    },
    get opened() {
      return opened;
    },
    close() {
      for (const agent of [...agents.values(), ...twins]) agent.destroy();
      agents.clear();
      twins.length = 0;
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

/** Calls `onOpen` for every connection the agent opens. */
function countConnections<A extends HttpAgent>(agent: A, onOpen: () => void): A {
  const target = agent as unknown as { createConnection: Connect };
  const connect = target.createConnection.bind(agent);
  target.createConnection = (options, callback) => {
    onOpen();
    return connect(options, callback);
  };
  return agent;
}

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
