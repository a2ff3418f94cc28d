/**
 * The API keeps its own contract, checked on a live controller (the built CLI's `serve`) with a
 * promotion in flight:
 * - callers' mistakes are 4xx naming the field, never 5xx (a version EKS cannot give, an id too long);
 * - schemathesis (PyPI, installed by tools/install-schemathesis.sh, settings in
 *   tools/schemathesis/schemathesis.toml) reads the served /openapi.json and sends generated requests,
 *   valid and invalid, to every documented operation as an admin. Every answer must have a documented
 *   status, content type, headers and body, and none may be a server error.
 *
 * Nothing is excluded: schemathesis may approve, pause, roll back, abandon or start promotions in this
 * world, and each of those answers must keep the contract as well.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { projectRoot } from '../env/tools.js';
import { describeWithServers } from '../integration/environment.js';
import { type Json, useE2E } from './support.js';

const schemathesis = join(projectRoot, '.cache/schemathesis-venv/bin/schemathesis');
const settings = join(projectRoot, 'tools/schemathesis/schemathesis.toml');
const installed = existsSync(schemathesis);
const inCi = Boolean(process.env.CI) && process.env.CI !== 'false';
const missing = `schemathesis is not installed at ${schemathesis}: run tools/install-schemathesis.sh (make deps does)`;
// Locally, a machine without the venv skips the fuzzing run with this message; in CI it fails instead.
const skipFuzzing = !installed && !inCi;
if (skipFuzzing) console.warn(`api-contract: schemathesis run skipped: ${missing}`);

function runSchemathesis(args: readonly string[], cwd: string, env: Record<string, string>) {
  return new Promise<{ code: number; output: string; ms: number }>((resolve) => {
    const started = Date.now();
    execFile(
      schemathesis,
      [...args],
      { cwd, timeout: 240_000, maxBuffer: 16 << 20, env: { ...process.env, ...env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}${stderr}`, ms: Date.now() - started });
      },
    );
  });
}

/**
 * The settings file plus this world's real values, which schemathesis uses for half of the cases so
 * that they reach the logic behind the 404s: the platforms, the promotion in flight, a version EKS offers.
 */
function settingsFor(dir: string, live: { promotionId: string; targetVersion: string }): string {
  const file = join(dir, 'schemathesis.toml');
  const values = (list: readonly string[]) => `values = ${JSON.stringify(list)}`;
  const use = (dictionary: string) => `{ dictionary = "${dictionary}", probability = 0.5 }`;
  writeFileSync(
    file,
    `${readFileSync(settings, 'utf8')}
# Added by test/e2e/api-contract.test.ts for this world.
[dictionaries.platforms]
${values(['shop', 'payments'])}

[dictionaries.promotions]
${values([live.promotionId])}

[dictionaries.versions]
${values([live.targetVersion])}

[parameters]
"path.name" = ${use('platforms')}
"path.id" = ${use('promotions')}
"body.platform" = ${use('platforms')}
"body.targetVersion" = ${use('versions')}
`,
  );
  return file;
}

const issuePaths = (body: Json) => (body.issues as { path: string }[] | undefined)?.map((i) => i.path);

describeWithServers('the API keeps its documented contract on a live controller', () => {
  const e2e = useE2E({
    // A budget no fuzzing run reaches, so mutating operations are exercised rather than answered 429.
    mutationsPerMinute: 100_000,
    // An approval step keeps the promotion in flight (waiting-approval) while schemathesis runs.
    platform: {
      steps: [
        { green: 10, bake: '1s' },
        { green: 50, bake: '1s', approval: 'required' },
        { green: 100, bake: '1s' },
      ],
    },
  });

  it("answers callers' mistakes with 400 naming the field, never a 5xx", async () => {
    // Valid by the schema's pattern, refused by the version rule (older than live, too far ahead).
    const plan = await e2e.api('POST', '/v1/platforms/shop/plan', { targetVersion: '1.0' });
    expect([plan.status, issuePaths(plan.body)], JSON.stringify(plan.body)).toEqual([
      400,
      ['body.targetVersion'],
    ]);
    const tooFar = await e2e.api('POST', '/v1/promotions', { platform: 'shop', targetVersion: '1.99' });
    expect([tooFar.status, issuePaths(tooFar.body)], JSON.stringify(tooFar.body)).toEqual([
      400,
      ['body.targetVersion'],
    ]);
    expect((await e2e.api('GET', '/v1/promotions')).body.items).toEqual([]);

    // Over the documented length: a 400 on the field, not fastify's 414 with its own body.
    for (const length of [101, 5000]) {
      const long = await e2e.api('GET', `/v1/promotions/${'p'.repeat(length)}`);
      expect([long.status, issuePaths(long.body)]).toEqual([400, ['params.id']]);
    }
    const longName = await e2e.api('POST', `/v1/platforms/${'s'.repeat(64)}/plan`, { targetVersion: '1.36' });
    expect([longName.status, issuePaths(longName.body)]).toEqual([400, ['params.name']]);

    // The event stream's errors are JSON, as documented.
    const stream = await fetch(`${e2e.world.url}/v1/promotions/nope/events`, {
      headers: { authorization: `Bearer ${e2e.world.tokens.viewer}` },
    });
    expect([stream.status, stream.headers.get('content-type')]).toEqual([
      404,
      'application/json; charset=utf-8',
    ]);
  });

  it.skipIf(skipFuzzing)(
    'answers every request schemathesis generates with a documented status, content type and body, never a 5xx',
    async () => {
      expect(installed, missing).toBe(true);
      const started = await e2e.api('POST', '/v1/promotions', { platform: 'shop', targetVersion: '1.36' });
      expect(started.status, JSON.stringify(started.body)).toBe(201);
      const inFlight = await e2e.waitFor(
        started.body.id,
        (p) => p.phase === 'waiting-approval' || p.phase === 'rolled-back',
      );
      expect(inFlight.phase).toBe('waiting-approval');

      const fuzz = () =>
        runSchemathesis(
          [
            '--config-file',
            settingsFor(e2e.world.dir, { promotionId: inFlight.id, targetVersion: '1.36' }),
            'run',
            `${e2e.world.url}/openapi.json`,
            '--no-color',
            ...(process.env.SCHEMATHESIS_MAX_EXAMPLES
              ? ['--max-examples', process.env.SCHEMATHESIS_MAX_EXAMPLES]
              : []),
            ...(process.env.SCHEMATHESIS_SEED ? ['--seed', process.env.SCHEMATHESIS_SEED] : []),
          ],
          // Its working folder is the world's, so anything it writes stays there.
          e2e.world.dir,
          { SWITCHYARD_TOKEN: e2e.world.tokens.admin },
        );
      let run = await fuzz();
      // Hypothesis, describing one of its own lambdas, can crash in CPython's ast.parse deep in a
      // recursion ("AST constructor recursion depth mismatch"): a crash of the tool, reported as a runtime
      // error with no verdict on the API. Only then, and only once, the run is repeated; any contract
      // failure still fails the test.
      if (run.code !== 0 && crashedInsideHypothesis(run.output)) {
        console.log('schemathesis crashed inside hypothesis (not an API finding); running it once more');
        run = await fuzz();
      }
      // Its report (phases, cases, warnings, the seed) goes to a file, not the test output: its closing
      // banner reads like a pytest summary of no tests, and CI reads the run's closing lines.
      const report = join(e2e.world.dir, 'schemathesis-report.txt');
      writeFileSync(report, run.output);
      const cases = /Test cases:\s*\n?\s*(.+)/.exec(run.output)?.[1]?.trim() ?? 'no case count';
      console.log(`schemathesis: exit ${run.code} after ${run.ms} ms (${cases}); report in ${report}`);
      expect(run.code, `schemathesis found contract violations:\n${run.output}`).toBe(0);
    },
  );
});

/** The run's only problem is hypothesis' own crash in ast.parse: no failed check, one kind of error. */
function crashedInsideHypothesis(output: string): boolean {
  const errors = /Errors:\n([\s\S]*?)\n\n/.exec(output)?.[1] ?? '';
  return (
    output.includes('AST constructor recursion depth mismatch') &&
    !/Failures:/.test(output) &&
    errors
      .trim()
      .split('\n')
      .every((line) => line.includes('Runtime Error'))
  );
}
