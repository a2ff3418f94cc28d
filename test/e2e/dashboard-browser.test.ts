/**
 * The dashboard in a real browser: Debian's chromium (tools/install-chromium.sh) driven by playwright-core,
 * against the controller process. An operator logs in, starts a promotion of shop from the page, watches
 * the stage table and the weight bar move, and rolls it back with the page's button. Meanwhile a payments
 * promotion runs to its decommission gate: the operator is not offered deleting blue, an admin is, and only
 * with blue's name typed. A viewer sees no action at all. The page must fit 1280 px.
 *
 * Without /usr/bin/chromium the file is skipped on a developer's machine and fails in CI (CI=true).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithServers } from '../integration/environment.js';
import { type Json, useE2E } from './support.js';

const chromiumPath = '/usr/bin/chromium';
const inCI = process.env.CI === 'true';
const haveChromium = existsSync(chromiumPath);
if (!haveChromium && !inCI) {
  console.warn(
    `dashboard-browser: skipped, ${chromiumPath} is missing; run tools/install-chromium.sh (as root) to install Debian's chromium`,
  );
}

// This machine's network is closed: no first-run, sync, component or QUIC traffic, no GPU, no sandbox (root).
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const viewport = { width: 1280, height: 900 };

describeWithServers('dashboard in a real browser', () => {
  describe.skipIf(!haveChromium && !inCI)('with chromium', () => {
    const e2e = useE2E({
      // Shop holds at 50 % long enough to be rolled back there from the page.
      platform: {
        steps: [
          { green: 10, bake: '2s' },
          { green: 50, bake: '120s' },
          { green: 100, bake: '1s' },
        ],
      },
    });
    let browser: BrowserContext | undefined;
    let payments = '';

    beforeAll(async () => {
      if (!haveChromium) {
        throw new Error(
          `${chromiumPath} is missing and CI is set: run tools/install-chromium.sh before the e2e tests`,
        );
      }
      // Payments runs to its decommission gate (two 10 s ALB bakes) while shop is driven from the page.
      const started = await e2e.api('POST', '/v1/promotions', {
        platform: 'payments',
        targetVersion: '1.36',
      });
      expect(started.status, JSON.stringify(started.body)).toBe(201);
      payments = started.body.id;
      // Playwright takes the profile folder itself (it refuses --user-data-dir in args): a fresh one per run.
      browser = await chromium.launchPersistentContext(mkdtempSync(join(e2e.world.dir, 'chromium-')), {
        executablePath: chromiumPath,
        headless: true,
        args: chromiumArgs,
        viewport,
      });
    });
    afterAll(async () => {
      await browser?.close();
    });

    /** A new tab (its own sessionStorage, so its own token) on the dashboard, logged in with the token. */
    async function openDashboard(token?: string): Promise<Page> {
      if (!browser) throw new Error('the browser did not start');
      const page = await browser.newPage();
      page.setDefaultTimeout(20_000);
      await page.goto(`${e2e.world.url}/dashboard`);
      if (token) await logIn(page, token);
      return page;
    }

    async function logIn(page: Page, token: string): Promise<void> {
      await page.locator('#token').fill(token);
      await page.locator('#token-form button').click();
      // The page has rendered with the token: it knows the role and the data loaded.
      await page
        .locator('#who')
        .filter({ hasText: /\(\w+\)/ })
        .waitFor();
      await page.locator('#updated').filter({ hasText: 'updated' }).waitFor();
    }

    async function selectPromotion(page: Page, id: string): Promise<void> {
      await page.locator(`#promotions tr[data-id="${id}"]`).click();
      await page.locator('#detail h2').filter({ hasText: id }).waitFor();
    }

    const actionsOf = (page: Page) =>
      page
        .locator('#detail .actions button')
        .evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-action')));

    it('an operator logs in, starts shop from the page, watches it shift and rolls it back', async () => {
      const page = await openDashboard();
      try {
        // Before a token: the prompt, and no way to start anything.
        await page.locator('#message.error').filter({ hasText: 'Enter an API token' }).waitFor();
        expect(await page.locator('#start-form').isHidden()).toBe(true);

        await logIn(page, e2e.world.tokens.operator);
        expect(await page.locator('#who').textContent()).toBe('ops (operator)');
        // The stale "enter a token" error is gone once the token works.
        await page.locator('#message.error').waitFor({ state: 'detached' });
        expect(await page.locator('#message').textContent()).toBe('');

        // Start shop through the page's own form.
        await page.locator('#start-platform').selectOption('shop');
        await page.locator('#start-version').fill('1.36');
        await page.locator('#start-form button').click();
        await page.locator('#message.ok').filter({ hasText: 'promote: done' }).waitFor();
        const id = (await page.locator('#promotions tr.selected').getAttribute('data-id')) ?? '';
        expect(id).toMatch(/^shop-\d{14}-[0-9a-f]{4}$/);
        expect((await e2e.api('GET', `/v1/promotions/${id}`)).body.platform).toBe('shop');
        await page.locator('#detail h2').filter({ hasText: id }).waitFor();

        // It progresses: stages finish in the table, the weight bar moves 10 % then 50 % to green.
        const stageState = (stage: string) =>
          page.locator(`#detail tr[data-stage="${stage}"] td:nth-child(2)`);
        await stageState('provision').filter({ hasText: 'succeeded' }).waitFor({ timeout: 45_000 });
        await page.locator('#detail .bar[title="blue 90% / green 10%"]').waitFor({ timeout: 45_000 });
        await stageState('shift-traffic').filter({ hasText: 'running' }).waitFor();
        await page.locator('#detail .bar[title="blue 50% / green 50%"]').waitFor();
        expect(await page.locator('#detail .history').textContent()).toMatch(/10% → 50%/);
        expect(await actionsOf(page)).toEqual(['pause', 'resume', 'weight', 'rollback']);

        // Both promotions in the table, and the page fits 1280 px: nothing wider than the window.
        await page.locator(`#promotions tr[data-id="${payments}"]`).waitFor();
        const table = await page.locator('table.promotions').boundingBox();
        const section = await page.locator('table.promotions').locator('xpath=..').boundingBox();
        expect(table && section && table.x + table.width <= section.x + section.width + 0.5).toBe(true);
        expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
          viewport.width,
        );
        expect(await page.locator(`#promotions tr[data-id="${id}"] td.id`).getAttribute('title')).toBe(id);

        // Roll back with the page's button; the reason goes through prompt().
        page.once('dialog', (dialog) => void dialog.accept('e2e: rolled back from the browser'));
        await page.locator('#detail [data-action="rollback"]').click();
        await page.locator('#message.ok').filter({ hasText: 'rollback: done' }).waitFor();
        await page.locator('#detail [data-phase="rolled-back"]').waitFor({ timeout: 60_000 });
        await page.locator('#detail .bar[title="blue 100% / green 0%"]').waitFor();
        expect(await actionsOf(page)).toEqual([]);
        const done = (await e2e.api('GET', `/v1/promotions/${id}`)).body;
        expect(done.phase).toBe('rolled-back');
        expect(done.events.some((e: Json) => e.type === 'rollback.requested' && e.actor === 'ops')).toBe(
          true,
        );
        // The list is read before the detail in each refresh: when the rollback finished between the
        // two reads, the list says so at the next refresh (every 2 s).
        await page
          .locator(`#promotions tr[data-id="${id}"] td.phase`)
          .filter({ hasText: /^rolled-back$/ })
          .waitFor({ timeout: 10_000 });
      } finally {
        // One picture of the last state, for debugging; it stays in the run folder.
        const shot = join(e2e.world.dir, 'dashboard.png');
        await page.screenshot({ path: shot, fullPage: true }).catch(() => undefined);
        console.log(`dashboard-browser: screenshot ${shot}`);
      }
    });

    it('gives a viewer no action buttons and no start form', async () => {
      const viewer = await openDashboard(e2e.world.tokens.viewer);
      expect(await viewer.locator('#who').textContent()).toBe('viewer (viewer)');
      await selectPromotion(viewer, payments);
      // Still under way (its decommission gate is approved by the next test), so an operator would act on it.
      expect(await viewer.locator('#detail .phase').first().textContent()).toMatch(
        /^(running|waiting-approval)$/,
      );
      expect(await viewer.locator('#detail .actions button').count()).toBe(0);
      expect(await viewer.locator('#start-form').isHidden()).toBe(true);
      expect(await viewer.locator('#message').textContent()).toBe('');
    });

    it('offers deleting blue to an admin only, after the blue cluster name is typed', async () => {
      const gateOpen = (p: Json) => p.gates.some((g: Json) => g.id === 'decommission' && !g.approvedAt);
      const waiting = await e2e.waitFor(payments, gateOpen, 60_000);
      const blue = waiting.blue.name as string;

      const operator = await openDashboard(e2e.world.tokens.operator);
      await selectPromotion(operator, payments);
      await operator.locator('#detail [data-phase="waiting-approval"]').waitFor();
      expect(await actionsOf(operator)).toEqual(['pause', 'resume', 'weight', 'rollback']);

      const admin = await openDashboard(e2e.world.tokens.admin);
      await selectPromotion(admin, payments);
      const approve = admin.locator('#detail [data-action="approve-decommission"]');
      await approve.waitFor();
      expect(await approve.textContent()).toContain(`delete ${blue}`);

      // A wrong name sends nothing, and the page says so.
      admin.once('dialog', (dialog) => void dialog.accept(`${blue}-typo`));
      await approve.click();
      await admin.locator('#message.error').filter({ hasText: 'nothing was sent' }).waitFor();
      expect(gateOpen((await e2e.api('GET', `/v1/promotions/${payments}`)).body)).toBe(true);

      // Blue's name approves it.
      admin.once('dialog', (dialog) => void dialog.accept(blue));
      await approve.click();
      await admin.locator('#message.ok').filter({ hasText: 'approve decommission: done' }).waitFor();
      const approved = (await e2e.api('GET', `/v1/promotions/${payments}`)).body;
      expect(approved.gates.find((g: Json) => g.id === 'decommission')).toMatchObject({
        approvedBy: 'admin',
      });
    });
  });
});
