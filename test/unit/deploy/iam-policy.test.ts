import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { promotionTag, roleTag } from '../../../src/providers/aws/eks-common.js';

/**
 * deploy/iam-policy.json must grant exactly the AWS actions the code calls: every SDK command and
 * paginator imported under src/, every request signed by hand (the EKS token's presigned STS call), and
 * the few actions AWS authorizes alongside a call (dependentActions below). A new call without a grant,
 * or a grant the code no longer needs, fails here.
 */

const root = join(import.meta.dirname, '..', '..', '..');
const policyFile = join(root, 'deploy', 'iam-policy.json');

/** IAM service prefix of each @aws-sdk/client-* package the controller may import. */
const iamPrefix: Record<string, string> = {
  cloudwatch: 'cloudwatch',
  eks: 'eks',
  'elastic-load-balancing-v2': 'elasticloadbalancing',
  'route-53': 'route53',
};

/**
 * Actions AWS checks on top of a call's own action. Each is granted only while one of its calls is
 * used. (Service Authorization Reference, "dependent actions" of the EKS create calls.)
 */
const dependentActions: readonly { action: string; requiredBy: readonly string[]; why: string }[] = [
  {
    action: 'iam:PassRole',
    requiredBy: ['eks:CreateCluster', 'eks:CreateNodegroup'],
    why: 'CreateCluster passes the cluster role (roleArn), CreateNodegroup the node role (nodeRole)',
  },
  {
    action: 'eks:TagResource',
    requiredBy: ['eks:CreateCluster', 'eks:CreateNodegroup', 'eks:CreateAddon'],
    why: 'tag on create: everything Switchyard creates carries its promotion tag',
  },
];

/** Actions whose API supports no resource-level permissions, so "*" is the only possible Resource. */
const resourceStarOnly = new Set([
  'eks:CreateCluster',
  'eks:DescribeAddonVersions',
  'eks:DescribeClusterVersions',
  'elasticloadbalancing:DescribeListeners',
  'elasticloadbalancing:DescribeRules',
  'cloudwatch:GetMetricData',
  'sts:GetCallerIdentity',
]);

interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

const policyText = readFileSync(policyFile, 'utf8');
const policy = JSON.parse(policyText) as { Version: string; Statement: Statement[] };
const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

interface SdkUse {
  readonly action: string;
  readonly file: string;
  readonly symbol: string;
}

/** `XxxCommand` → Xxx, `paginateXxx` → Xxx; undefined for types and clients. */
function operationOf(symbol: string): string | undefined {
  const command = /^(\w+)Command$/.exec(symbol);
  if (command) return command[1];
  const paginator = /^paginate(\w+)$/.exec(symbol);
  return paginator?.[1];
}

/** Every operation imported (as a value) from an @aws-sdk/client-* package under src/. */
function sdkUses(): SdkUse[] {
  const uses: SdkUse[] = [];
  for (const file of sourceFiles(join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const name = relative(root, file);
    if (/import\s+\*\s+as\s+\w+\s+from\s+'@aws-sdk\/client-/.test(text)) {
      throw new Error(`${name}: a namespace import from an AWS SDK client hides which commands it sends`);
    }
    const imports = text.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([a-z0-9-]+)'/g);
    for (const [, typeOnly, specifiers = '', service = ''] of imports) {
      if (typeOnly) continue;
      const prefix = iamPrefix[service];
      if (prefix === undefined) {
        throw new Error(`${name} imports @aws-sdk/client-${service}: add its IAM prefix to this test`);
      }
      for (const raw of specifiers.split(',')) {
        const symbol = raw.trim().split(/\s+as\s+/)[0] ?? '';
        if (symbol === '' || symbol.startsWith('type ')) continue;
        const operation = operationOf(symbol);
        if (operation) uses.push({ action: `${prefix}:${operation}`, file: name, symbol });
      }
    }
  }
  return uses;
}

/**
 * Requests signed by hand with @smithy/signature-v4 rather than sent by an SDK client: the EKS bearer
 * token is a presigned STS GetCallerIdentity URL. Service and action are read from the signing code.
 */
function presignedUses(): SdkUse[] {
  const uses: SdkUse[] = [];
  for (const file of sourceFiles(join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    if (!text.includes("from '@smithy/signature-v4'")) continue;
    const name = relative(root, file);
    const service = /service:\s*'([a-z0-9-]+)'/.exec(text)?.[1];
    const actions = [...text.matchAll(/\bAction:\s*'(\w+)'/g)].map((m) => m[1]);
    if (service === undefined || actions.length === 0) {
      throw new Error(`${name} signs requests, but this test cannot tell which service and action`);
    }
    for (const action of actions)
      uses.push({ action: `${service}:${action}`, file: name, symbol: 'presign' });
  }
  return uses;
}

function usedActions(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  const add = (action: string, where: string) => used.set(action, [...(used.get(action) ?? []), where]);
  for (const use of [...sdkUses(), ...presignedUses()]) add(use.action, `${use.file} (${use.symbol})`);
  for (const { action, requiredBy, why } of dependentActions) {
    if (requiredBy.some((a) => used.has(a))) add(action, why);
  }
  return used;
}

const grantedActions = () => new Set(policy.Statement.flatMap((s) => list(s.Action)));

describe('deploy/iam-policy.json', () => {
  it('names each operation the way IAM does', () => {
    expect(operationOf('DescribeClusterCommand')).toBe('DescribeCluster');
    expect(operationOf('paginateDescribeAddonVersions')).toBe('DescribeAddonVersions');
    expect(operationOf('paginateListNodegroups')).toBe('ListNodegroups');
    expect(operationOf('EKSClient')).toBeUndefined();
  });

  it('finds the calls in src/ (the scan itself works)', () => {
    const used = usedActions();
    // A few that must be there, so that a broken pattern cannot pass by finding nothing.
    for (const action of [
      'eks:DescribeCluster',
      'eks:DescribeAddonVersions',
      'route53:ChangeResourceRecordSets',
      'elasticloadbalancing:ModifyRule',
      'cloudwatch:GetMetricData',
      'sts:GetCallerIdentity',
    ]) {
      expect(used.has(action), action).toBe(true);
    }
  });

  it('grants every action the code calls', () => {
    const granted = grantedActions();
    const missing = [...usedActions()]
      .filter(([action]) => !granted.has(action))
      .map(([action, where]) => `${action} (used by ${where.join(', ')})`);
    expect(missing, 'used by the code but not granted in deploy/iam-policy.json').toEqual([]);
  });

  it('grants no action the code does not call', () => {
    const used = usedActions();
    const unused = [...grantedActions()].filter((action) => !used.has(action));
    expect(unused, 'granted in deploy/iam-policy.json but not used by the code').toEqual([]);
  });

  it('is a well-formed document: Allow statements with unique Sids, one service each, no wildcards in actions', () => {
    expect(policy.Version).toBe('2012-10-17');
    const sids = policy.Statement.map((s) => s.Sid);
    expect(sids.every((sid) => typeof sid === 'string' && /^[A-Za-z0-9]+$/.test(sid))).toBe(true);
    expect(new Set(sids).size).toBe(sids.length);
    for (const statement of policy.Statement) {
      expect(statement.Effect).toBe('Allow');
      const services = new Set(list(statement.Action).map((a) => a.split(':')[0]));
      expect(services.size, `${statement.Sid} mixes services`).toBe(1);
      for (const action of list(statement.Action)) expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
    }
  });

  it('uses Resource "*" only where the API has no resource-level permissions', () => {
    for (const statement of policy.Statement) {
      if (!list(statement.Resource).includes('*')) continue;
      for (const action of list(statement.Action)) {
        expect(resourceStarOnly.has(action), `${action} (${statement.Sid}) could be scoped`).toBe(true);
      }
    }
  });

  it('lets CreateCluster create only clusters tagged the way Switchyard tags green', () => {
    const statement = policy.Statement.find((s) => list(s.Action).includes('eks:CreateCluster'));
    expect(statement?.Condition).toEqual({
      StringEquals: { [`aws:RequestTag/${roleTag}`]: 'green' },
      Null: { [`aws:RequestTag/${promotionTag}`]: 'false' },
    });
  });

  it('names only placeholders that deploy/README.md explains', () => {
    const readme = readFileSync(join(root, 'deploy', 'README.md'), 'utf8');
    const placeholders = new Set(policyText.match(/<[A-Z_]+>/g) ?? []);
    expect(placeholders.size).toBeGreaterThan(0);
    for (const placeholder of placeholders) expect(readme, placeholder).toContain(`\`${placeholder}\``);
  });
});
