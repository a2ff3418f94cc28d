import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface AwsCredentialsLike {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Static credentials, or a provider such as an SDK client's `config.credentials`. */
export type CredentialsSource = AwsCredentialsLike | (() => Promise<AwsCredentialsLike>);

export interface EksTokenRequest {
  readonly clusterName: string;
  readonly region: string;
  readonly credentials: CredentialsSource;
  /** The signing instant; defaults to now. */
  readonly now?: Date;
}

const tokenPrefix = 'k8s-aws-v1.';

/** The host aws-iam-authenticator accepts for the region's STS (China regions live under .com.cn). */
export function stsHost(region: string): string {
  return `sts.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

/**
 * A bearer token for an EKS API server, made the way `aws eks get-token` makes it: a presigned STS
 * GetCallerIdentity URL that also signs the `x-k8s-aws-id` header naming the cluster (so the token is
 * good for that cluster only). The API server replays the URL to STS to learn who we are. EKS accepts
 * such a token for 15 minutes after signing, whatever X-Amz-Expires says.
 */
export async function eksToken(request: EksTokenRequest): Promise<string> {
  const hostname = stsHost(request.region);
  const signer = new SignatureV4({
    service: 'sts',
    region: request.region,
    credentials: request.credentials,
    sha256: Hash.bind(null, 'sha256'),
  });
  const presigned = await signer.presign(
    new HttpRequest({
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: hostname, 'x-k8s-aws-id': request.clusterName },
    }),
    { expiresIn: 60, ...(request.now === undefined ? {} : { signingDate: request.now }) },
  );
  const url = `https://${hostname}/?${queryString(presigned.query ?? {})}`;
  return tokenPrefix + Buffer.from(url).toString('base64url');
}

function queryString(query: NonNullable<HttpRequest['query']>): string {
  return Object.entries(query)
    .flatMap(([key, value]) => (Array.isArray(value) ? value.map((v) => [key, v]) : [[key, value]]))
    .filter((pair): pair is [string, string] => typeof pair[1] === 'string')
    .map(([key, value]) => `${uriEncode(key)}=${uriEncode(value)}`)
    .join('&');
}

/** RFC 3986 encoding, as SigV4 canonicalizes: encodeURIComponent leaves !'()* alone. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
