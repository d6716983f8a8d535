import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, BrowserContext } from 'playwright-core';
import { AnchorClient } from '../clients/anchor-client/src';
import { RedisServer } from './support/redis-server';
import { useServiceWithRedis } from './support/service-with-redis';
import { startTestApp, TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT = join(tmpdir(), 'led-dashboard.png');

describe('status page (DASHBOARD_ENABLED=true)', () => {
  let redis: RedisServer;
  let svc: TestApp;
  let url: string;
  let browser: BrowserContext;
  let profile: string;
  const clients: AnchorClient[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    redis = await RedisServer.start();
    svc = await startTestApp({
      REDIS_URL: redis.url, DASHBOARD_ENABLED: 'true',
      HEARTBEAT_TIMEOUT_MS: '3000', SUSPECT_AFTER_MS: '1500', HEARTBEAT_INTERVAL_MS: '500', TIMEOUT_MIN_MS: '3000', HEARTBEAT_RATE_PER_SEC: '10',
    });
    url = svc.url.replace('[::1]', '127.0.0.1');
    profile = mkdtempSync(join(tmpdir(), 'led-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1200, height: 800 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
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

  it('shows running lives, a crash ended by timeout with its detection lag, a normal end, the outbox and the guard', async () => {
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
        const d = (await svc.get('/dashboard/data')).body;
        return d.endings?.some((e: any) => e.roomId === 'dash-crashed') && d;
      },
      20000,
      'the crash in the latest endings',
    );
    expect(data.lives).toEqual({ live: 3, interrupted: 0 });
    expect(data.guard).toMatchObject({ enabled: true, engaged: false });
    expect(data.outbox).toMatchObject({ depth: 0, deadLetters: 0 });
    const crash = data.endings.find((e: any) => e.roomId === 'dash-crashed');
    expect(crash).toMatchObject({ reason: 'timeout', liveId: 'dash-crashed-live' });
    expect(crash.detectionLagMs).toBeGreaterThanOrEqual(0);
    expect(data.endings.find((e: any) => e.roomId === 'dash-stopped')).toMatchObject({ reason: 'normal', detectionLagMs: null });

    const page = await browser.newPage();
    await page.goto(`${url}/dashboard`);
    await page.locator('tr[data-room="dash-crashed"]').waitFor({ timeout: 15000 });
    expect(await page.locator('#live').textContent()).toBe('3');
    expect(await page.locator('#interrupted').textContent()).toBe('0');
    expect(await page.locator('#depth').textContent()).toBe('0');
    expect(await page.locator('#guard').textContent()).toBe('ok');
    const crashRow = page.locator('tr[data-room="dash-crashed"]');
    expect(await crashRow.locator('.reason').textContent()).toBe('timeout');
    expect(await crashRow.locator('td').nth(5).textContent()).toMatch(/^\d+\.\d\d s$/);
    expect(await page.locator('tr[data-room="dash-stopped"] .reason').textContent()).toBe('normal');
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('the page follows the service: a live that goes quiet shows as interrupted', async () => {
    const quiet = anchor('quiet');
    await quiet.start();
    await quiet.stop({ end: false });
    const page = await browser.newPage();
    await page.goto(`${url}/dashboard`);
    await waitFor(async () => (await page.locator('#interrupted').textContent()) === '1', 15000, 'interrupted shown');
  });
});

describe('status page off (the default)', () => {
  const service = useServiceWithRedis();

  it('answers 404 for the page and its data', async () => {
    expect((await service.svc.get('/dashboard')).status).toBe(404);
    expect((await service.svc.get('/dashboard/data')).status).toBe(404);
  });
});
