import { AnchorClient, AnchorState } from '../../clients/anchor-client/src';

export type Role = 'healthy' | 'crash' | 'blip';

/** One simulated anchor app: the real client, with a network the simulator can cut. */
export class SimAnchor {
  readonly client: AnchorClient;
  readonly roomId: string;
  readonly liveId: string;
  /** Client-side time of the last accepted beat before the crash: when the viewers' wait begins. */
  crashedAt: number | null = null;
  blipFrom: number | null = null;
  blipUntil: number | null = null;
  endedReasons: string[] = [];
  /** Client-side time the last beat was accepted. */
  lastBeatAt = 0;
  /**
   * When the last accepted beat was sent: the service took it after this (its lastHeartbeatAt is later), so a
   * presence report from before it is older than the beat whatever the request's latency.
   */
  lastBeatSentAt = 0;
  readonly anchorId: string;
  private networkDown = false;

  constructor(
    readonly index: number,
    readonly role: Role,
    baseUrl: string,
  ) {
    this.roomId = `sim-room-${index}`;
    this.liveId = `sim-live-${index}-${Date.now().toString(36)}`;
    const cuttable: typeof fetch = async (input, init) => {
      if (this.networkDown) throw new TypeError('fetch failed (simulated network loss)');
      const sentAt = Date.now();
      const response = await fetch(input, init);
      if (response.status === 200 && String(input).endsWith('/heartbeat')) this.lastBeatSentAt = sentAt;
      return response;
    };
    this.anchorId = `sim-anchor-${index}`;
    this.client = new AnchorClient({ baseUrl, roomId: this.roomId, liveId: this.liveId, anchorId: this.anchorId, fetch: cuttable });
    this.client.on('beat', () => (this.lastBeatAt = Date.now()));
    this.client.on('ended', (reason: string) => this.endedReasons.push(reason));
    this.client.on('error', () => undefined); // retries are expected here; counted through the state instead
  }

  get state(): AnchorState {
    return this.client.state;
  }

  /** Right after its next accepted beat, the app dies: no end call, no more beats. */
  async crashAfterNextBeat(): Promise<void> {
    await this.nextBeat();
    this.crashedAt = Date.now();
    await this.client.stop({ end: false });
  }

  /** Right after its next accepted beat, the network is gone for `ms`; the client retries meanwhile. */
  async blipAfterNextBeat(ms: number): Promise<void> {
    await this.nextBeat();
    this.networkDown = true;
    this.blipFrom = Date.now();
    await new Promise((resolve) => setTimeout(resolve, ms));
    this.networkDown = false;
    this.blipUntil = Date.now();
  }

  private nextBeat(): Promise<void> {
    return new Promise((resolve) => this.client.once('beat', () => resolve()));
  }
}
