import type { CallbackBody } from './callback-body';
/**
 * What one IM presence callback says about an account, read from the documented bodies
 * (State.StateChange: https://cloud.tencent.com/document/product/269/2570 ;
 * Group.CallbackOnMemberStateChange: https://cloud.tencent.com/document/product/269/76156).
 */
export interface PresenceReport {
  account: string;
  presence: 'offline' | 'online';
  /** IM's `EventTime` (epoch ms); 0 when the callback carried none (then it counts as "now"). */
  eventTime: number;
  /** The live group it was reported in; '' for State.StateChange (any room of the anchor). */
  groupId: string;
  /** A Logout: it may be half of a multi-instance kick pair whose Login is still on its way, so it waits (LOGOUT_SETTLE_MS). */
  settles: boolean;
}

/**
 * Logout reasons that mean the account went offline. IM documents only `Unregister` (the app logged
 * out); on SDKs older than 5.6.1200 a multi-instance kick also sends Login(Register) + Logout(Unregister)
 * with one EventTime, while the account stays online on the new instance. That pair is told apart by its
 * EventTime (a Login wins a tie, see anchor-offline), and any other Logout reason is not taken as offline:
 * heartbeats decide then.
 */
const OFFLINE_LOGOUT_REASONS = new Set(['Unregister', '']);

/** Reads a State.StateChange body; null when it says nothing about presence (CustomStatusChange, other reasons). */
export function stateChangeReport(body: CallbackBody): PresenceReport | null {
  const account = body.Info?.To_Account;
  const action = body.Info?.Action;
  const reason = typeof body.Info?.Reason === 'string' ? body.Info.Reason : '';
  if (typeof account !== 'string' || account === '') return null;
  const eventTime = eventTimeOf(body);
  if (action === 'Login') return { account, presence: 'online', eventTime, groupId: '', settles: false };
  // Disconnect: the link closed (LinkClose) or IM's 400 s heartbeat ran out (TimeOut); offline either way.
  if (action === 'Disconnect') return { account, presence: 'offline', eventTime, groupId: '', settles: false };
  if (action === 'Logout' && OFFLINE_LOGOUT_REASONS.has(reason))
    return { account, presence: 'offline', eventTime, groupId: '', settles: true };
  return null;
}

/** Reads a live group's member-state body: one report per member (Offline after 30 s without its heartbeat, Online when back). */
export function memberStateReports(body: CallbackBody): PresenceReport[] {
  const presence = body.EventType === 'Offline' ? 'offline' : body.EventType === 'Online' ? 'online' : null;
  if (!presence || typeof body.GroupId !== 'string' || !Array.isArray(body.MemberList)) return [];
  const eventTime = eventTimeOf(body);
  return body.MemberList.map((m: { Member_Account?: unknown } | null) => m?.Member_Account)
    .filter((a: unknown): a is string => typeof a === 'string' && a !== '')
    .map((account: string) => ({ account, presence, eventTime, groupId: body.GroupId, settles: false }));
}

function eventTimeOf(body: CallbackBody): number {
  const t = Number(body.EventTime);
  return Number.isSafeInteger(t) && t > 0 ? t : 0;
}
