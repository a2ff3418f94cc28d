import type { Logger } from 'pino';
import type { PlatformConfig } from '../config/schema.js';
import type { ServiceDeployer } from '../domain/ports.js';
import { createServiceDeployer } from '../providers/kubernetes/services/index.js';
import type { clusterAccess } from './cluster-access.js';

/** The platform's service deployer, from its `services` config. */
export function servicesFor(
  platform: PlatformConfig,
  access: ReturnType<typeof clusterAccess>,
  log: Logger,
): ServiceDeployer {
  return createServiceDeployer({
    access,
    spec: platform.services,
    log: log.child({ platform: platform.name, component: 'services' }),
  });
}
