import { sleep } from './wait-for';

export interface BeatResult {
  status: number | 'error';
  retryAfter: string | null;
  ms: number;
}

/**
 * Simulated anchor apps: each beats its room every `intervalMs` while it runs, through whichever
 * replica `target` picks, and keeps beating (retrying) through errors as a real app does.
 */
export class AnchorFleet {
  readonly results: BeatResult[] = [];
  private readonly running = new Set<number>();
  private stopped = false;
  private loop: Promise<void> | null = null;

  constructor(
    readonly size: number,
    private readonly target: (anchor: number) => string,
    private readonly intervalMs: number,
    readonly prefix = 'fleet',
  ) {
    for (let i = 0; i < size; i++) this.running.add(i);
  }

  roomId(anchor: number): string {
    return `${this.prefix}-room-${anchor}`;
  }

  liveId(anchor: number): string {
    return `${this.prefix}-live-${anchor}`;
  }

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        const started = Date.now();
        await Promise.all([...this.running].map((anchor) => this.beat(anchor)));
        await sleep(Math.max(0, this.intervalMs - (Date.now() - started)));
      }
    })();
  }

  /** The anchor's app "crashes": it sends nothing more. */
  crash(anchor: number): void {
    this.running.delete(anchor);
  }

  /** The anchor's app comes back and beats again. */
  recover(anchor: number): void {
    this.running.add(anchor);
  }

  isRunning(anchor: number): boolean {
    return this.running.has(anchor);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  beat(anchor: number): Promise<BeatResult> {
    return heartbeat(this.target(anchor), this.roomId(anchor), this.liveId(anchor), `anchor-${anchor}`).then((r) => {
      this.results.push(r);
      return r;
    });
  }
}

export async function heartbeat(baseUrl: string, roomId: string, liveId: string, anchorId: string): Promise<BeatResult> {
  const started = Date.now();
  try {
    const response = await fetch(`${baseUrl}/v1/rooms/${roomId}/heartbeat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ liveId, anchorId }),
      signal: AbortSignal.timeout(10000),
    });
    await response.arrayBuffer();
    return { status: response.status, retryAfter: response.headers.get('retry-after'), ms: Date.now() - started };
  } catch {
    return { status: 'error', retryAfter: null, ms: Date.now() - started };
  }
}
