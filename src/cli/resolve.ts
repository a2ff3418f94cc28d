/**
 * Commands accept a promotion id or a platform name. An id is tried first (one cheap read); on 404 the
 * argument is taken as a platform name. A name the controller does not know is answered with the
 * names it does know, so a typo's fix is in the message.
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

/**
 * Runs `call`, which names platform `name` (a platform route, or a promotion of it). A 404 for a name
 * the controller does not know becomes "platform … not found; known platforms: …"; any other 404 (a
 * known platform with no promotion, say) is left as the API said it.
 */
export async function onPlatform<T>(client: ApiClient, name: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
    const known = await knownPlatforms(client).catch(() => undefined);
    if (known === undefined || known.some((p) => p.name === name)) throw error;
    throw new CliError(ExitCode.failed, `platform "${name}" not found; ${listKnown(known)}`);
  }
}

/** The platform's active promotion id; refused (3) when it has none. */
export async function activeOfPlatform(client: ApiClient, platform: string): Promise<string> {
  const detail = await onPlatform(client, platform, () => client.platform(platform));
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

/** For pause, resume, approve, abandon: the promotion with that id, else the platform's active promotion. */
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
  const known = await knownPlatforms(client);
  const platform = known.find((p) => p.name === name);
  if (platform === undefined) {
    throw new CliError(ExitCode.failed, `no promotion or platform named "${name}"; ${listKnown(known)}`);
  }
  return platform;
}

async function knownPlatforms(client: ApiClient): Promise<readonly Platform[]> {
  return (await client.platforms()).items;
}

/** How many names a message lists before pointing at `switchyard platforms` for the rest. */
const listedNames = 10;

/** "known platforms: payments, shop", sorted; a long list is cut, and an empty one says so. */
export function listKnown(platforms: readonly Pick<Platform, 'name'>[]): string {
  if (platforms.length === 0) return 'the controller has no platforms (see its platformsDir)';
  const names = platforms.map((p) => p.name).sort();
  const more = names.length - listedNames;
  return `known platforms: ${names.slice(0, listedNames).join(', ')}${more > 0 ? `, and ${more} more (switchyard platforms)` : ''}`;
}
