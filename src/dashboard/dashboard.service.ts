import { Injectable } from '@nestjs/common';
import { Environment } from '../config/environment';
import { LiveStore } from '../store/live-store';
import { OutboxStore } from '../store/outbox-store';
import { RecentEnding, RecentEndings } from '../store/recent-endings';
import { GuardStatus, MassTimeoutGuard } from '../sweeper/mass-timeout-guard';

const ENDINGS_SHOWN = 20;

export interface DashboardData {
  at: number;
  lives: { live: number; interrupted: number };
  outbox: { depth: number; inDelivery: number; oldestAt: number | null; deadLetters: number };
  guard: GuardStatus;
  endings: Array<RecentEnding & { detectionLagMs: number | null; deliveryMs: number }>;
  settings: { heartbeatTimeoutMs: number; suspectAfterMs: number; notifiers: string[] };
}

/** Gathers the page's figures from the stores: O(shards) commands and one LRANGE, no scan. */
@Injectable()
export class DashboardService {
  constructor(
    private readonly env: Environment,
    private readonly lives: LiveStore,
    private readonly outbox: OutboxStore,
    private readonly guard: MassTimeoutGuard,
    private readonly endings: RecentEndings,
  ) {}

  async data(): Promise<DashboardData> {
    const [lives, outbox, guard, endings] = await Promise.all([
      this.lives.countByState(),
      this.outbox.summary(),
      this.guard.status(),
      this.endings.latest(ENDINGS_SHOWN),
    ]);
    return {
      at: Date.now(),
      lives,
      outbox,
      guard,
      endings: endings.map((e) => ({
        ...e,
        // As led_detection_lag_seconds: from the deadline the silence crossed to the notice delivered.
        detectionLagMs: e.deadline === null ? null : Math.max(0, e.deliveredAt - e.deadline),
        deliveryMs: Math.max(0, e.deliveredAt - e.at),
      })),
      settings: { heartbeatTimeoutMs: this.env.HEARTBEAT_TIMEOUT_MS, suspectAfterMs: this.env.SUSPECT_AFTER_MS, notifiers: this.env.NOTIFIERS },
    };
  }
}
