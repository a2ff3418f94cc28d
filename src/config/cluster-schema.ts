import { z } from 'zod';

/** EKS's own rule for cluster names, checked here so a typo fails at load rather than at CreateCluster. */
const clusterName = z
  .string()
  .regex(
    /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/,
    'must be an EKS cluster name: up to 100 letters, digits, "-" or "_", starting with a letter or digit',
  );

/**
 * A slot's cluster name, which may be a template: `{slot}` becomes the slot (a or b), `{version}` the
 * Kubernetes version with dashes (shop-{version} → shop-1-35). Checked with the longest values filled in.
 */
const clusterNameTemplate = z
  .string()
  .refine((name) => !/\{(?!slot\}|version\})[^}]*\}/.test(name), {
    message: 'only {slot} and {version} may be filled in',
    // The name check below would only repeat the same problem in other words.
    abort: true,
  })
  .refine(
    (name) =>
      /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(
        name.replaceAll('{slot}', 'a').replaceAll('{version}', '1-100'),
      ),
    'must be an EKS cluster name (up to 100 letters, digits, "-" or "_", starting with a letter or digit) once {slot} and {version} are filled in',
  );

const subnetId = z.string().regex(/^subnet-[0-9a-f]+$/, 'must be a subnet id like subnet-0123abcd');
const securityGroupId = z.string().regex(/^sg-[0-9a-f]+$/, 'must be a security group id like sg-0123abcd');
const stringMap = z.record(z.string(), z.string());

/** A kubeconfig file and the context in it; a relative path is resolved against the controller config's folder. */
export const kubeconfigSchema = z.strictObject({ path: z.string().min(1), context: z.string().min(1) });

export const blueSchema = z.strictObject({
  clusterName,
  kubeconfig: kubeconfigSchema.optional(),
});

export const eksLogTypes = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;

const nodeGroupSchema = z
  .strictObject({
    name: z.string().regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,62}$/, 'must be an EKS node group name'),
    instanceTypes: z.array(z.string().min(1)).min(1),
    /** The IAM role the nodes run as (EKS CreateNodegroup requires one). */
    nodeRoleArn: z.string().regex(/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN'),
    minSize: z.int().min(0),
    maxSize: z.int().min(1),
    desiredSize: z.int().min(0),
    /** Defaults to the cluster's subnets. */
    subnetIds: z.array(subnetId).min(1).optional(),
    labels: stringMap.optional(),
  })
  .superRefine((group, ctx) => {
    // EKS rejects these with a generic validation error mid-provision; say which number is wrong up front.
    if (group.minSize > group.maxSize) {
      ctx.addIssue({
        code: 'custom',
        path: ['minSize'],
        message: `must be at most maxSize (${group.maxSize})`,
      });
    } else if (group.desiredSize < group.minSize || group.desiredSize > group.maxSize) {
      ctx.addIssue({
        code: 'custom',
        path: ['desiredSize'],
        message: `must be between minSize (${group.minSize}) and maxSize (${group.maxSize})`,
      });
    }
  });

const addonSchema = z.strictObject({
  name: z.string().min(1),
  /** Absent: the add-on's default version for the green cluster's Kubernetes version. */
  version: z.string().min(1).optional(),
});

/** The add-ons every EKS cluster needs for pods to get addresses, names and service routing. */
const defaultAddons = () => [{ name: 'vpc-cni' }, { name: 'coredns' }, { name: 'kube-proxy' }];

/**
 * How to create the green cluster. The Kubernetes version is not here: it is the promotion's target
 * version, chosen when a promotion starts.
 */
export const templateSchema = z
  .strictObject({
    roleArn: z.string().regex(/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN'),
    // EKS requires subnets in at least two availability zones.
    subnetIds: z.array(subnetId).min(2),
    securityGroupIds: z.array(securityGroupId).default(() => []),
    endpointPublicAccess: z.boolean().default(false),
    logging: z.array(z.enum(eksLogTypes)).default(() => []),
    tags: stringMap.default(() => ({})),
    nodeGroups: z.array(nodeGroupSchema).min(1),
    addons: z.array(addonSchema).default(defaultAddons),
  })
  .superRefine((template, ctx) => {
    reportDuplicates(
      template.nodeGroups.map((g) => g.name),
      ['nodeGroups'],
      'name',
      ctx,
    );
    reportDuplicates(
      template.addons.map((a) => a.name),
      ['addons'],
      'name',
      ctx,
    );
  });

const clusterFields = {
  kubeconfig: kubeconfigSchema.optional(),
  mode: z.enum(['create', 'adopt']),
  template: templateSchema.optional(),
};

/**
 * A cluster Switchyard either creates from `template`, or adopts (it already exists, e.g. built by
 * Terraform), in which case a template would be silently unused, so it is an error.
 */
function checkMode(
  cluster: { mode: 'create' | 'adopt'; template?: unknown },
  ctx: z.core.$RefinementCtx,
): void {
  if (cluster.mode === 'create' && cluster.template === undefined) {
    ctx.addIssue({ code: 'custom', path: ['template'], message: 'required when mode is "create"' });
  }
  if (cluster.mode === 'adopt' && cluster.template !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['template'],
      message: 'not allowed when mode is "adopt": an adopted cluster already exists, so it would be ignored',
    });
  }
}

function narrowMode<Rest extends { mode: 'create' | 'adopt' }>({
  template,
  ...rest
}: Rest & { template?: ClusterTemplate | undefined }) {
  return rest.mode === 'create' && template !== undefined
    ? { ...rest, mode: 'create' as const, template }
    : { ...rest, mode: 'adopt' as const };
}

/** The blue/green file shape's green: how the other slot's cluster is built. */
export const greenSchema = z
  .strictObject({ clusterName, ...clusterFields })
  .superRefine(checkMode)
  .transform((green): SlotCluster => narrowMode(green));

/**
 * One cluster slot: its cluster name (or name template), how it is reached, and how its cluster is
 * built when the slot is green (created from `template`, or adopted).
 */
export const slotSchema = z
  .strictObject({ clusterName: clusterNameTemplate, ...clusterFields })
  .superRefine(checkMode)
  .transform((slot): SlotCluster => narrowMode(slot));

type Kubeconfig = z.output<typeof kubeconfigSchema>;
export type ClusterTemplate = z.output<typeof templateSchema>;

interface SlotBase {
  /** A name or a name template ({slot}, {version}). */
  readonly clusterName: string;
  readonly kubeconfig?: Kubeconfig | undefined;
}

/** A slot's cluster, narrowed on `mode`: only a created cluster has a template. */
export type SlotCluster =
  | (SlotBase & { readonly mode: 'create'; readonly template: ClusterTemplate })
  | (SlotBase & { readonly mode: 'adopt' });

/** Adds an issue at `<list>[i].<field>` for each value already seen earlier in the list. */
export function reportDuplicates(
  values: readonly unknown[],
  list: PropertyKey[],
  field: string,
  ctx: z.core.$RefinementCtx,
): void {
  values.forEach((value, index) => {
    const first = values.indexOf(value);
    if (first !== index) {
      ctx.addIssue({
        code: 'custom',
        path: [...list, index, field],
        message: `${describe(value)} is already used by ${list.join('.')}[${first}]`,
      });
    }
  });
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
