/**
 * Starts the test environment by hand, for debugging (`make sandbox`): moto plus a blue and a green
 * cluster (control plane and kwok nodes) on loopback. Prints how to reach them and runs until Ctrl-C (or, with --once, stops
 * again right away after printing).
 */
import { startTestEnvironment } from './environment.js';

const once = process.argv.includes('--once');
const environment = await startTestEnvironment();
const { info } = environment;

let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  console.log('\nsandbox: stopping moto and both clusters...');
  await environment.stop();
  process.exit(code);
};
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

console.log(`
Switchyard sandbox is up.
  AWS (moto):       ${info.awsEndpoint}   region ${info.awsRegion}, any dummy credentials
  blue  cluster:    ${info.kubeServers.blue}   Kubernetes ${info.kubeVersions.blue}, nodes ${info.kubeNodes.blue.join(' ')}
  green cluster:    ${info.kubeServers.green}   Kubernetes ${info.kubeVersions.green}, nodes ${info.kubeNodes.green.join(' ')}
  kubeconfig:       ${info.kubeconfigPath}   (contexts: blue, green)
  logs and state:   ${info.runDir}

Try:
  AWS_ENDPOINT_URL=${info.awsEndpoint} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test aws route53 list-hosted-zones
  kubectl --kubeconfig ${info.kubeconfigPath} --context green get namespaces
`);

if (once) await stop(0);
else console.log('Press Ctrl-C to stop.');
