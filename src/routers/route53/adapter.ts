import {
  type Change,
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import type { Logger } from 'pino';
import { ProviderError } from '../../domain/errors.js';
import type { Observation, TrafficReading, TrafficRouter } from '../../domain/ports.js';
import { type GreenPercent, percentFromWeights, toRoute53Weights } from '../../domain/weights.js';
import { describing } from '../../providers/aws/errors.js';
import { KeyedSerializer } from '../../providers/aws/serial.js';
import {
  checkSpec,
  classifyGroup,
  destination,
  effectiveTtl,
  isOurRecord,
  mismatch,
  normalizeName,
  type RecordGroup,
  type RecordSpec,
  weightedRecord,
} from './records.js';

export type { Route53Target } from './records.js';

export interface Route53RouterOptions extends RecordSpec {
  readonly client: Route53Client;
  /** With or without the `/hostedzone/` prefix. */
  readonly hostedZoneId: string;
  /** Share one serializer per process so routers on the same zone never interleave their writes. */
  readonly serializer?: KeyedSerializer;
  /** For tests: the clock used to say how long a change has been pending. */
  readonly now?: () => Date;
  readonly log?: Logger;
}

/**
 * Records asked for per page. Route 53 answers up to 300 by default, so in a zone of hundreds of
 * records every read would carry them all; ten hold our pair, the record after it, and room.
 */
const pageSize = 10;
/**
 * A name and type hold at most 100 weighted records (Route 53's limit), so this many pages always
 * reach past the group; more means the listing is not advancing.
 */
const maxPages = Math.ceil(100 / pageSize) + 1;

/**
 * A TrafficRouter over one Route 53 record name/type: blue and green are two weighted records written
 * together in one change batch, so there is never a half-applied split and never an all-zero pair.
 * The original simple record is converted to the pair (DELETE + 2 CREATEs, one batch) at the first shift.
 */
export function createRoute53Router(options: Route53RouterOptions): TrafficRouter {
  checkSpec(options);
  const { client, recordName, recordType, log } = options;
  const zoneId = options.hostedZoneId.replace(/^\/hostedzone\//, '');
  const serializer = options.serializer ?? new KeyedSerializer();
  const now = options.now ?? (() => new Date());
  const where = `Route 53 zone ${zoneId} record ${recordName} ${recordType}`;
  const blueDestination = destination(weightedRecord(options, 'blue', 0));

  /** Lists from our name/type onwards; stops at the first record past our group. */
  async function listGroup(): Promise<ResourceRecordSet[]> {
    const found = new Map<string, ResourceRecordSet>();
    let start = { name: recordName, type: recordType, identifier: undefined as string | undefined };
    for (let page = 0; page < maxPages; page++) {
      const out = await describing('list records of', where, () =>
        client.send(
          new ListResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            StartRecordName: start.name,
            StartRecordType: start.type,
            ...(start.identifier === undefined ? {} : { StartRecordIdentifier: start.identifier }),
            MaxItems: pageSize,
          }),
        ),
      );
      for (const record of out.ResourceRecordSets ?? []) {
        if (isOurRecord(record, options)) found.set(record.SetIdentifier ?? '', record);
      }
      const nextName = out.NextRecordName;
      if (
        !out.IsTruncated ||
        nextName === undefined ||
        normalizeName(nextName) !== normalizeName(recordName) ||
        out.NextRecordType !== recordType
      ) {
        return [...found.values()];
      }
      if (start.identifier !== undefined && start.identifier === out.NextRecordIdentifier) break;
      start = { name: nextName, type: recordType, identifier: out.NextRecordIdentifier };
    }
    throw new ProviderError(`list records of ${where}: the listing does not advance past the group`, false);
  }

  const readGroup = async (): Promise<RecordGroup> => classifyGroup(await listGroup(), options, where);
  /** What each reading this router handed out saw, so apply can build on it (see TrafficRouter.apply). */
  const seen = new WeakMap<TrafficReading, RecordGroup>();
  /** The change this router wrote last and has not looked at yet (see verify). */
  let lastWritten: string | undefined;

  function desiredPair(green: GreenPercent) {
    const weights = toRoute53Weights(green);
    return {
      blue: weightedRecord(options, 'blue', weights.blue),
      green: weightedRecord(options, 'green', weights.green),
    };
  }

  /** Differences between the listed pair and the pair `green` asks for; empty when they agree. */
  function differences(group: RecordGroup & { kind: 'weighted' }, green: GreenPercent): string[] {
    const wanted = desiredPair(green);
    return [mismatch('blue', group.blue, wanted.blue), mismatch('green', group.green, wanted.green)].filter(
      (p): p is string => p !== undefined,
    );
  }

  function convertChanges(simple: ResourceRecordSet, green: GreenPercent): Change[] {
    // Converting replaces whatever the simple record serves with blue; if that is not blue, the first
    // "1% to green" would really move 99% of traffic somewhere new.
    if (destination(simple) !== blueDestination) {
      throw new ProviderError(
        `${where}: the simple record points at ${destination(simple)}, but blue is ` +
          `${blueDestination}; refusing to convert it`,
        false,
      );
    }
    const pair = desiredPair(green);
    // Route 53 deletes only on an exact match of the current values, so the record goes back as listed.
    return [
      { Action: 'DELETE', ResourceRecordSet: simple },
      { Action: 'CREATE', ResourceRecordSet: pair.blue },
      { Action: 'CREATE', ResourceRecordSet: pair.green },
    ];
  }

  async function write(changes: Change[], green: GreenPercent): Promise<string | undefined> {
    const out = await describing('change records of', where, () =>
      client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: { Comment: `switchyard: green ${green}%`, Changes: changes },
        }),
      ),
    );
    lastWritten = out.ChangeInfo?.Id;
    return lastWritten;
  }

  async function apply(green: GreenPercent, basis?: TrafficReading): Promise<{ readonly changeId?: string }> {
    const group = (basis && seen.get(basis)) ?? (await readGroup());
    if (group.kind === 'simple') {
      if (green === 0) {
        // The simple record already sends everything to blue; a rollback before the first shift
        // has nothing to write.
        log?.info({ zone: zoneId, record: recordName }, 'route53: simple record already serves blue');
        return {};
      }
      const changes = convertChanges(group.record, green);
      try {
        const changeId = await write(changes, green);
        return logged(green, changeId, 'converted');
      } catch (error) {
        // When an earlier attempt of this batch did commit (its answer lost, then retried by the
        // SDK), the retry fails because the simple record is gone. The pair is then already ours.
        if (!(error instanceof ProviderError) || error.retryable) throw error;
        const after = await readGroup().catch(() => undefined);
        if (after?.kind !== 'weighted' || differences(after, green).length > 0) throw error;
        log?.warn({ zone: zoneId, record: recordName, err: error }, 'route53: conversion already applied');
        return {};
      }
    }
    const pair = desiredPair(green);
    const changeId = await write(
      [
        { Action: 'UPSERT', ResourceRecordSet: pair.blue },
        { Action: 'UPSERT', ResourceRecordSet: pair.green },
      ],
      green,
    );
    return logged(green, changeId, 'upserted');
  }

  function logged(green: GreenPercent, changeId: string | undefined, how: string) {
    log?.info(
      { zone: zoneId, record: recordName, green, weights: toRoute53Weights(green), changeId },
      `route53: weights ${how}`,
    );
    return changeId === undefined ? {} : { changeId };
  }

  function readingOf(group: RecordGroup): TrafficReading {
    if (group.kind === 'simple') {
      return {
        kind: 'unweighted',
        green: 0 as GreenPercent,
        detail: `${where} is a simple record to ${destination(group.record)}`,
      };
    }
    const weights = { blue: group.blue.Weight ?? 0, green: group.green.Weight ?? 0 };
    return {
      kind: 'weighted',
      green: percentFromWeights(weights),
      detail: `${where} weights blue ${weights.blue}, green ${weights.green}`,
    };
  }

  return {
    ttlSeconds: effectiveTtl(options),

    async read(): Promise<TrafficReading> {
      const group = await readGroup();
      const reading = readingOf(group);
      seen.set(reading, group);
      return reading;
    },

    apply: (green, basis) => serializer.run(zoneId, () => apply(green, basis)),

    async verify(green: GreenPercent, changeId?: string): Promise<Observation> {
      // The first look at a change this router just wrote reads the records back beside asking for
      // the change's status: the read shows what the write left (the API answers with it at once), and
      // a change in sync then needs no second round trip. Later looks, while a change propagates,
      // ask for the status alone, so a slow change costs one extra list, not one per look.
      const firstLook = changeId !== undefined && changeId === lastWritten;
      if (firstLook) lastWritten = undefined;
      const readBack = firstLook ? readGroup() : undefined;
      readBack?.catch(() => undefined);
      if (changeId !== undefined) {
        const out = await describing('get change', `${changeId} of ${where}`, () =>
          client.send(new GetChangeCommand({ Id: changeId })),
        );
        const status = out.ChangeInfo?.Status;
        if (status !== 'INSYNC') {
          const submitted = out.ChangeInfo?.SubmittedAt;
          const age = submitted
            ? `, submitted ${Math.round((now().getTime() - submitted.getTime()) / 1000)} s ago`
            : '';
          return {
            ready: false,
            message: `change ${changeId} ${status ?? 'has no status'}${age} (${where})`,
          };
        }
      }
      const group = await (readBack ?? readGroup());
      const weights = toRoute53Weights(green);
      const want = `blue ${weights.blue}, green ${weights.green}`;
      if (group.kind === 'simple') {
        return green === 0 && destination(group.record) === blueDestination
          ? { ready: true, message: `${where} is still the simple record, which serves blue` }
          : {
              ready: false,
              message: `${where} is still the simple record to ${destination(group.record)}; want ${want}`,
            };
      }
      const problems = differences(group, green);
      return problems.length > 0
        ? { ready: false, message: `${where} shows ${problems.join('; ')}` }
        : { ready: true, message: `${where} weights ${want}` };
    },
  };
}
