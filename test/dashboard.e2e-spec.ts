import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, BrowserContext, Page } from 'playwright-core';
import { AnchorClient } from '../clients/anchor-client/src';
import { RedisServer } from './support/redis-server';
import { useServiceWithRedis } from './support/service-with-redis';
import { startTestApp, TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where each state's screenshot goes (led-dashboard-<state>.png), to be looked at. */
export const SCREENSHOTS = tmpdir();
/** The page is read in a zone other than the machine's, so a missing or wrong zone shows. */
const ZONE = 'Asia/Shanghai';
const ZONE_LABEL = 'UTC+8';
/** 2026-11-30 14:05:09 UTC+8 */
const DATE_TIME = new RegExp(`\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d ${ZONE_LABEL.replace('+', '\\+')}`);

describe('status page (DASHBOARD_ENABLED=true), in headless Chromium, in each state', () => {
  let redis: RedisServer;
  let svc: TestApp | null = null;
  let url: string;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;
  const clients: AnchorClient[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    redis = await RedisServer.start();
    svc = await startTestApp({
      REDIS_URL: redis.url,
      DASHBOARD_ENABLED: 'true',
      HEARTBEAT_TIMEOUT_MS: '6000',
      SUSPECT_AFTER_MS: '1500',
      HEARTBEAT_INTERVAL_MS: '500',
      TIMEOUT_MIN_MS: '3000',
      HEARTBEAT_RATE_PER_SEC: '10',
      SWEEP_INTERVAL_MS: '200',
      SWEEP_GAP_MS: '1500',
      // The guard holds when at least 4 lives and over half of those tracked would end within the window.
      GUARD_MIN_COUNT: '4',
      GUARD_MAX_SHARE: '0.5',
    });
    url = svc.url.replace('[::1]', '127.0.0.1');
    profile = mkdtempSync(join(tmpdir(), 'led-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      timezoneId: ZONE,
      viewport: { width: 1240, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage();
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.stop({ end: false })));
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await svc?.close();
    await redis?.destroy();
  });

  const anchor = (name: string) => {
    const client = new AnchorClient({ baseUrl: url, roomId: `dash-${name}`, liveId: `dash-${name}-live`, anchorId: `dash-${name}-anchor` });
    clients.push(client);
    return client;
  };
  const text = async (selector: string) => ((await page.locator(selector).textContent()) ?? '').trim();
  const until = (selector: string, wanted: RegExp | string, what: string) =>
    waitFor(
      async () => {
        const got = await text(selector);
        return typeof wanted === 'string' ? got === wanted : wanted.test(got);
      },
      20000,
      what,
    );
  const shoot = (state: string) => page.screenshot({ path: join(SCREENSHOTS, `led-dashboard-${state}.png`), fullPage: true });

  it('empty: says no ending is recorded yet (known, not unknown), sweep ok, this replica seen, dates with the zone', async () => {
    await page.goto(`${url}/dashboard`);
    await until('#endings', /^No ending recorded yet/, 'the empty list');
    expect(await text('#live')).toBe('0');
    expect(await text('#interrupted')).toBe('0');
    expect(await text('#updated')).toMatch(DATE_TIME);
    await until('#sweep', 'ok', 'sweep ok');
    expect(await text('#sweep-detail')).toMatch(/^all 16 shards swept within 1\.50 s; latest .* ago/);
    expect(await text('#replicas')).toBe('1');
    expect(await text('#replica-list')).toMatch(new RegExp(`-${process.pid} \\(this page\\)\\d`));
    expect(await text('#chart-total')).toBe('no ending in the last hour');
    expect(await text('tr[data-lane="log"] td:last-child')).toBe('up to date');
    expect(await page.locator('#redis-down').isVisible()).toBe(false);
    expect(await page.locator('#service-down').isVisible()).toBe(false);
    await shoot('empty');
  });

  it('running: lives, a crash ended by timeout with its detection lag, a normal end, the chart, the guard counting only endings to come', async () => {
    const running = ['a', 'b', 'c'].map(anchor);
    await Promise.all(running.map((c) => c.start()));
    const crashed = anchor('crashed');
    await crashed.start();
    await crashed.stop({ end: false });
    const stopped = anchor('stopped');
    await stopped.start();
    await stopped.stop();

    const data = await waitFor(
      async () => {
        const d = (await svc!.get('/dashboard/data')).body;
        return d.endings?.some((e: any) => e.roomId === 'dash-crashed') && d;
      },
      20000,
      'the crash in the latest endings',
    );
    expect(data.redis).toMatchObject({ reachable: true, unreachableSince: null });
    expect(data.lives).toEqual({ live: 3, interrupted: 0 });
    expect(data.guard).toMatchObject({ enabled: true, engaged: false, endedInWindow: 1, dueToEnd: 0 });
    const crash = data.endings.find((e: any) => e.roomId === 'dash-crashed');
    expect(crash).toMatchObject({ reason: 'timeout', liveId: 'dash-crashed-live' });
    expect(data.endings.find((e: any) => e.roomId === 'dash-stopped')).toMatchObject({ reason: 'normal', detectionLagMs: null });
    const minute = data.history.find((m: any) => m.at <= crash.at && crash.at < m.at + 60000);
    expect(minute).toMatchObject({ lagCount: 1, lagAvgMs: crash.detectionLagMs, lagMaxMs: crash.detectionLagMs });
    expect(data.history.reduce((sum: number, m: any) => sum + m.endings, 0)).toBe(2);
    expect(data.history).toHaveLength(61);

    await page.locator('tr[data-room="dash-crashed"]').waitFor({ timeout: 15000 });
    await until('#live', '3', 'three running lives');
    const crashRow = page.locator('tr[data-room="dash-crashed"]');
    expect(await crashRow.locator('.reason').textContent()).toBe('timeout');
    expect(await crashRow.locator('td').nth(0).textContent()).toMatch(DATE_TIME);
    expect(await crashRow.locator('td').nth(5).textContent()).toMatch(/^\d+\.\d\d s$/);
    expect(await page.locator('tr[data-room="dash-stopped"] .reason').textContent()).toBe('normal');
    expect(await text('#chart-total')).toBe('2 ending(s) in the last hour');
    expect(await page.locator('#chart svg rect').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('#chart svg circle').count()).toBe(2); // one minute with a lag: its mean and its max
    // Tracked: 3 running + the crash that ended in the window. It already ended: nothing is still to come.
    expect(await text('#guard-detail')).toMatch(/^0 of 4 would end within 1 min \(1 ended for silence in the last 1 min\)/);
    await shoot('running');
  });

  it('a live that goes quiet shows as interrupted and as one that would end', async () => {
    const quiet = anchor('quiet');
    await quiet.start();
    await quiet.stop({ end: false });
    await until('#interrupted', '1', 'interrupted shown');
    expect(await text('#guard-detail')).toMatch(/^1 of 5 would end within 1 min /);
    await shoot('interrupted');
  });

  it('guard holding: too many lives fall silent at once, and the page says it holds them', async () => {
    const silent = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'].map(anchor);
    await Promise.all(silent.map((c) => c.start()));
    await Promise.all(silent.map((c) => c.stop({ end: false })));
    await until('#guard', 'holding', 'the guard holding');
    expect(await text('#guard-detail')).toMatch(
      /^\d+ of \d+ would end within 1 min \(\d+ ended for silence in the last 1 min\); holds above 50% and 4 endings/,
    );
    const { guard } = (await svc!.get('/dashboard/data')).body;
    expect(guard).toMatchObject({ engaged: true });
    expect(guard.dueToEnd).toBeGreaterThanOrEqual(6);
    expect(await text('#guard-detail')).toMatch(new RegExp(`^${guard.dueToEnd} of ${guard.tracked} would end`));
    await shoot('guard-holding');
  });

  it('Redis down: says so and since when, every figure unknown (never 0 or "none"); back when Redis is', async () => {
    const killedAt = Date.now();
    await redis.stop('SIGKILL');
    await until('#live', 'unknown', 'figures unknown');
    const banner = await text('#redis-down');
    expect(banner).toMatch(new RegExp(`^Redis is unreachable since ${DATE_TIME.source}`));
    const since = (await svc!.get('/dashboard/data')).body;
    expect(since.redis.reachable).toBe(false);
    expect(since.redis.unreachableSince).toBeGreaterThanOrEqual(killedAt - 1000);
    expect(since.lives).toBeNull();
    expect(since.endings).toBeNull();
    for (const id of ['#interrupted', '#depth', '#dead', '#guard', '#sweep', '#replicas']) expect(await text(id)).toBe('unknown');
    expect(await text('#endings')).toBe('Latest endings are unknown while Redis is unreachable.');
    expect(await text('#lanes')).toBe('Delivery lanes are unknown while Redis is unreachable.');
    expect(await text('#chart')).toMatch(/unknown while Redis is unreachable/);
    expect(await page.locator('#service-down').isVisible()).toBe(false);
    await shoot('redis-down');

    await redis.launch();
    await waitFor(async () => !(await page.locator('#redis-down').isVisible()), 20000, 'the Redis banner gone');
    await until('#sweep', 'ok', 'sweeps resumed');
    await page.locator('tr[data-room="dash-crashed"]').waitFor({ timeout: 15000 });
  });

  it('service down: the page says it gets no answer and since when, and marks the figures as old', async () => {
    await svc!.close();
    svc = null;
    await waitFor(async () => page.locator('#service-down').isVisible(), 20000, 'the service banner');
    expect(await text('#service-down')).toMatch(
      new RegExp(`^The service does not answer this page since ${DATE_TIME.source}.*The figures below are from ${DATE_TIME.source}`),
    );
    expect(await page.locator('#cards.stale').count()).toBe(1);
    await shoot('service-down');
  });
});

describe('status page off (the default)', () => {
  const service = useServiceWithRedis();

  it('answers 404 for the page and its data', async () => {
    expect((await service.svc.get('/dashboard')).status).toBe(404);
    expect((await service.svc.get('/dashboard/data')).status).toBe(404);
  });
});
