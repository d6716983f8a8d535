import type { CallbackBody } from './callback-body';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ConfigSection, InjectConfig } from '../config/sections';
import { LiveStore } from '../store/live-store';
import { memberStateReports, PresenceReport, stateChangeReport } from './presence-report';

/**
 * How long a Logout waits before it is applied. IM sends the two reports of a multi-instance kick (Login and
 * Logout, one EventTime) at once, in no promised order, and a busy network or replica may hold one back;
 * waiting lets the Login land first, so the pair never interrupts a live. A Disconnect (a killed app, a lost
 * link) is no half of a pair and counts at once; the grace that follows is far longer than this.
 */
export const LOGOUT_SETTLE_MS = 1000;

/**
 * Turns IM's word that an anchor's client went offline (or came back) into a faster interruption of
 * its live. It only speeds detection up: the anchor's heartbeats still decide. Each report is judged by
 * its own EventTime against the anchor's last beat and last report (anchor-offline / anchor-online), so
 * an older report never overrides a newer one, whatever the order of arrival.
 */
@Injectable()
export class TencentImCallbacksService implements OnModuleDestroy {
  private readonly logger = new Logger('TencentImCallbacks');
  /** Logouts waiting out LOGOUT_SETTLE_MS: applied at once on shutdown rather than dropped. */
  private readonly settling = new Map<NodeJS.Timeout, () => Promise<void>>();

  constructor(
    @InjectConfig('callbacks') private readonly env: ConfigSection<'callbacks'>,
    private readonly store: LiveStore,
  ) {}

  /** Whether `handle` acts on this CallbackCommand (the rest is the business's, when callbacks are forwarded). */
  owns(command: string): boolean {
    return command === 'State.StateChange' || command === 'Group.CallbackOnMemberStateChange';
  }

  /** Acts on the commands it knows; anything else is accepted and ignored. Resolves before a settling report is applied. */
  async handle(command: string, body: CallbackBody): Promise<void> {
    const reports =
      command === 'State.StateChange'
        ? [stateChangeReport(body)].filter((r): r is PresenceReport => r !== null)
        : command === 'Group.CallbackOnMemberStateChange'
          ? memberStateReports(body)
          : [];
    await Promise.all(reports.map((report) => (report.settles ? this.settle(report) : this.apply(report))));
  }

  async onModuleDestroy(): Promise<void> {
    const pending = [...this.settling.entries()];
    this.settling.clear();
    await Promise.all(pending.map(([timer, run]) => (clearTimeout(timer), run())));
  }

  private settle(report: PresenceReport): void {
    const run = () =>
      this.apply(report).catch((err) => this.logger.warn(`offline report of ${report.account} not acted on: ${(err as Error).message}`));
    const timer = setTimeout(() => {
      this.settling.delete(timer);
      void run();
    }, LOGOUT_SETTLE_MS);
    this.settling.set(timer, run);
  }

  private async apply({ account, presence, eventTime, groupId }: PresenceReport): Promise<void> {
    const roomId = await this.store.roomOfAnchor(account);
    if (!roomId) return; // not the anchor of any live we know
    const result =
      presence === 'offline'
        ? await this.store.anchorDisconnected(roomId, account, groupId, this.env.TENCENT_IM_DISCONNECT_GRACE_MS, eventTime)
        : await this.store.anchorReconnected(roomId, account, groupId, eventTime);
    this.logger.debug(
      `anchor ${account} ${presence} at ${eventTime || 'unknown time'} (room ${roomId}): ${result.outcome}${result.why ? ` (${result.why})` : ''}`,
    );
  }
}
