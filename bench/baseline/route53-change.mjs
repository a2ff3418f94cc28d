// The P1 baseline: the least a rollback can cost, one weighted-pair ChangeResourceRecordSets from a
// fresh process with the SDK. Prints the epoch time at which Route 53 answered.
import { ChangeResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';

const { BENCH_ENDPOINT, BENCH_ZONE, BENCH_RECORD } = process.env;
const client = new Route53Client({
  region: 'us-east-1',
  endpoint: BENCH_ENDPOINT,
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
});
const record = (id, weight) => ({
  Name: BENCH_RECORD,
  Type: 'CNAME',
  TTL: 1,
  SetIdentifier: id,
  Weight: weight,
  ResourceRecords: [{ Value: `${id}.lb.example.test` }],
});
await client.send(
  new ChangeResourceRecordSetsCommand({
    HostedZoneId: BENCH_ZONE,
    ChangeBatch: {
      Changes: [
        { Action: 'UPSERT', ResourceRecordSet: record('blue', 255) },
        { Action: 'UPSERT', ResourceRecordSet: record('green', 0) },
      ],
    },
  }),
);
console.log(`DONE ${Date.now()}`);
client.destroy();
