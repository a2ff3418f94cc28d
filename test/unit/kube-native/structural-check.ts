/**
 * The rules kube-apiserver holds a CRD's schema to (a structural schema, apiextensions.k8s.io/v1),
 * checked on plain data so a unit test finds a broken conversion before an apiserver does. Returns the
 * problems with their paths; none for a schema Kubernetes accepts.
 */
type Node = Record<string, unknown>;

const junctors = ['oneOf', 'anyOf', 'allOf', 'not'] as const;
const forbiddenInJunctors = ['type', 'description', 'default', 'additionalProperties', 'nullable'];

export function structuralProblems(node: Node, path = ''): string[] {
  const problems: string[] = [];
  const at = path || '(root)';
  if (node.$ref !== undefined) problems.push(`${at}: $ref`);
  const open = node['x-kubernetes-preserve-unknown-fields'] === true;
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  if (node.type === undefined && !open && !intOrString) problems.push(`${at}: no type`);
  if (node.properties !== undefined && node.additionalProperties !== undefined) {
    problems.push(`${at}: properties and additionalProperties together`);
  }
  if (node.uniqueItems === true) problems.push(`${at}: uniqueItems`);
  if (node.type === 'array' && node.items === undefined) problems.push(`${at}: an array without items`);
  for (const junctor of junctors) {
    const members = node[junctor];
    if (members === undefined) continue;
    for (const member of Array.isArray(members) ? members : [members]) {
      problems.push(...junctorProblems(member as Node, node, `${at}.${junctor}`));
    }
  }
  const properties = (node.properties ?? {}) as Record<string, Node>;
  for (const [name, child] of Object.entries(properties))
    problems.push(...structuralProblems(child, `${path}.${name}`));
  if (typeof node.items === 'object' && node.items !== null) {
    problems.push(...structuralProblems(node.items as Node, `${path}[]`));
  }
  if (typeof node.additionalProperties === 'object' && node.additionalProperties !== null) {
    problems.push(...structuralProblems(node.additionalProperties as Node, `${path}{*}`));
  }
  return problems;
}

/** Inside a junctor only value checks are allowed, on fields the typed node itself declares. */
function junctorProblems(member: Node, outer: Node, at: string): string[] {
  const problems = forbiddenInJunctors
    .filter((key) => member[key] !== undefined)
    .map((key) => `${at}: ${key}`);
  const declared = (outer.properties ?? {}) as Record<string, Node>;
  for (const [name, child] of Object.entries((member.properties ?? {}) as Record<string, Node>)) {
    if (declared[name] === undefined) problems.push(`${at}.${name}: not declared outside the junctor`);
    problems.push(...junctorProblems(child, declared[name] ?? {}, `${at}.${name}`));
  }
  for (const key of Object.keys(member)) {
    if (key.startsWith('x-kubernetes-')) problems.push(`${at}: ${key}`);
  }
  return problems;
}
