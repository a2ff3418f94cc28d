import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Files the kube-apiservers need: a CA, a serving certificate for 127.0.0.1, service account keys, a token. */
export interface ClusterCredentials {
  readonly caFile: string;
  readonly caPem: string;
  readonly servingCertFile: string;
  readonly servingKeyFile: string;
  readonly serviceAccountPublicKeyFile: string;
  readonly serviceAccountPrivateKeyFile: string;
  readonly tokenFile: string;
  /** Bearer token of an admin user in system:masters. */
  readonly adminToken: string;
  readonly adminUser: string;
}

/**
 * Generates fresh credentials in `dir` with openssl (Node can make keys but not sign certificates).
 * Valid for two days: a test environment never outlives that.
 */
export async function generateClusterCredentials(dir: string): Promise<ClusterCredentials> {
  const file = (name: string) => join(dir, name);
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', [
    'req',
    '-x509',
    ...ecKey,
    '-days',
    '2',
    '-subj',
    '/CN=switchyard-test-ca',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.crt'),
  ]);
  await run('openssl', [
    'req',
    ...ecKey,
    '-subj',
    '/CN=kube-apiserver',
    '-keyout',
    file('apiserver.key'),
    '-out',
    file('apiserver.csr'),
  ]);
  writeFileSync(
    file('apiserver.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n',
  );
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    file('apiserver.csr'),
    '-CA',
    file('ca.crt'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    file('apiserver.ext'),
    '-out',
    file('apiserver.crt'),
  ]);

  const serviceAccount = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(file('sa.key'), serviceAccount.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(file('sa.pub'), serviceAccount.publicKey.export({ type: 'spki', format: 'pem' }));

  const adminUser = 'switchyard-admin';
  const adminToken = randomBytes(24).toString('hex');
  // Static token file format: token,user,uid,"group1,group2"
  writeFileSync(file('tokens.csv'), `${adminToken},${adminUser},${adminUser},"system:masters"\n`, {
    mode: 0o600,
  });

  return {
    caFile: file('ca.crt'),
    caPem: readFileSync(file('ca.crt'), 'utf8'),
    servingCertFile: file('apiserver.crt'),
    servingKeyFile: file('apiserver.key'),
    serviceAccountPublicKeyFile: file('sa.pub'),
    serviceAccountPrivateKeyFile: file('sa.key'),
    tokenFile: file('tokens.csv'),
    adminToken,
    adminUser,
  };
}
