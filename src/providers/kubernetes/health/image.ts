import type { V1PodTemplateSpec } from '@kubernetes/client-node';

export interface ImageJudgement {
  readonly ok: boolean;
  readonly evidence: string;
}

/**
 * Whether the pod template runs the expected image: `expected` must be a substring of the image of
 * `container` (or of any container when none is named). Init containers do not count.
 */
export function judgeImage(
  template: V1PodTemplateSpec | undefined,
  expected: string,
  container?: string,
): ImageJudgement {
  const containers = template?.spec?.containers ?? [];
  const candidates = container === undefined ? containers : containers.filter((c) => c.name === container);
  if (candidates.length === 0) {
    const names = containers.map((c) => c.name).join(', ') || 'none';
    return {
      ok: false,
      evidence: `no container "${container ?? '*'}" in the pod template (containers: ${names})`,
    };
  }
  const match = candidates.find((c) => c.image?.includes(expected));
  if (match) return { ok: true, evidence: `image ${match.image} has "${expected}"` };
  const seen = candidates.map((c) => `${c.name}=${c.image ?? '(none)'}`).join(', ');
  return { ok: false, evidence: `expected an image with "${expected}", found ${seen}` };
}
