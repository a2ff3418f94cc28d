/**
 * Commands accept a promotion id or a platform name. An id is tried first (one cheap read); on 404 the
 * argument is taken as a platform name.
 */
import { type ApiClient, ApiError, type Platform, type PromotionDetail } from './client.js';
import { CliError, ExitCode } from './errors.js';

async function byId(client: ApiClient, id: string): Promise<PromotionDetail | undefined> {
  try {
    return await client.promotion(id);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

/** The platform's active promotion id; refused (3) when it has none. */
export async function activeOfPlatform(client: ApiClient, platform: string): Promise<string> {
  const detail = await client.platform(platform);
  if (detail.activePromotion === undefined) {
    throw new CliError(ExitCode.refused, `platform ${platform} has no active promotion`);
  }
  return detail.activePromotion;
}

/** For status: the promotion with that id, else the platform's latest promotion. */
export async function promotionOrLatest(client: ApiClient, target: string): Promise<PromotionDetail> {
  const found = await byId(client, target);
  if (found) return found;
  const latest = (await client.listPromotions({ platform: target, limit: 1 })).items[0];
  if (latest) return client.promotion(latest.id);
  await platformNamed(client, target);
  throw new CliError(ExitCode.failed, `platform ${target} has no promotions yet`);
}

/** For pause, resume, approve: the promotion with that id, else the platform's active promotion. */
export async function promotionIdFor(client: ApiClient, target: string): Promise<string> {
  const found = await byId(client, target);
  if (found) return found.id;
  // The list carries activePromotion too, without the router read GET /v1/platforms/{name} makes.
  const platform = await platformNamed(client, target);
  if (platform.activePromotion === undefined) {
    throw new CliError(ExitCode.refused, `platform ${target} has no active promotion`);
  }
  return platform.activePromotion;
}

async function platformNamed(client: ApiClient, name: string): Promise<Platform> {
  const platform = (await client.platforms()).items.find((p) => p.name === name);
  if (platform === undefined) throw new CliError(ExitCode.failed, `no promotion or platform named "${name}"`);
  return platform;
}
