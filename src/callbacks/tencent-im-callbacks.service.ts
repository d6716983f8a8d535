import { Injectable, Logger } from '@nestjs/common';
import { Environment } from '../config/environment';
import { LiveStore } from '../store/live-store';

type Presence = 'offline' | 'online';

/**
 * Turns IM's word that an anchor's client went offline (or came back) into a faster interruption of
 * its live. It only speeds detection up: the anchor's heartbeats still decide.
 */
@Injectable()
export class TencentImCallbacksService {
  private readonly logger = new Logger('TencentImCallbacks');

  constructor(
    private readonly env: Environment,
    private readonly store: LiveStore,
  ) {}

  /** Acts on the commands it knows; anything else is accepted and ignored. */
  async handle(command: string, body: Record<string, any>): Promise<void> {
    switch (command) {
      case 'State.StateChange':
        return this.stateChange(body);
      case 'Group.CallbackOnMemberStateChange':
        return this.memberStateChange(body);
    }
  }

  /** Login / Logout / Disconnect of one account (Disconnect comes at once when the app dies, or after IM's 400 s heartbeat). */
  private async stateChange(body: Record<string, any>): Promise<void> {
    const account = body.Info?.To_Account;
    const action = body.Info?.Action;
    if (typeof account !== 'string') return;
    const presence: Presence | null = action === 'Login' ? 'online' : action === 'Logout' || action === 'Disconnect' ? 'offline' : null;
    if (presence) await this.anchorPresence(account, '', presence, Number(body.EventTime) || 0);
  }

  /** A live group's member-state report: Offline after 30 s without the member's heartbeat, Online when back. */
  private async memberStateChange(body: Record<string, any>): Promise<void> {
    const presence: Presence | null = body.EventType === 'Offline' ? 'offline' : body.EventType === 'Online' ? 'online' : null;
    if (!presence || typeof body.GroupId !== 'string' || !Array.isArray(body.MemberList)) return;
    const accounts = body.MemberList.map((m: any) => m?.Member_Account).filter((a: unknown): a is string => typeof a === 'string');
    await Promise.all(accounts.map((account: string) => this.anchorPresence(account, body.GroupId, presence, Number(body.EventTime) || 0)));
  }

  private async anchorPresence(account: string, groupId: string, presence: Presence, eventTime: number): Promise<void> {
    const roomId = await this.store.roomOfAnchor(account);
    if (!roomId) return; // not the anchor of any live we know
    const result =
      presence === 'offline'
        ? await this.store.anchorDisconnected(roomId, account, groupId, this.env.TENCENT_IM_DISCONNECT_GRACE_MS, eventTime)
        : await this.store.anchorReconnected(roomId, account, groupId, eventTime);
    this.logger.debug(`anchor ${account} ${presence} (room ${roomId}): ${result.outcome}${result.why ? ` (${result.why})` : ''}`);
  }
}
