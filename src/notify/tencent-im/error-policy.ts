/**
 * What to do with an IM `ErrorCode`, from the handling advice of the documented error codes
 * (trtc.io/document/34348, and the send_group_msg page; the policy per code is in docs/operators/tencent-im.md).
 */
export type ErrorAction =
  | { kind: 'retry'; retryAfterMs?: number }
  /** The UserSig was refused: make a new one and try once more, then treat as `then`. */
  | { kind: 'renew-signature' }
  | { kind: 'permanent' };

const FREQUENCY_LIMITED = new Set([
  60007, // REST call frequency over limit
  60011, // SDKAppID request frequency over limit
  60018,
  60019, // requests too frequent
  10006, // operation frequency limit
  10023, // one live group's 40 messages/s
]);

const TRANSIENT = new Set([
  10002, // internal server error
  60008, // service request time-out
  60014, // account exchange time-out
  70169, // internal time-out
  70500, // internal server error
  80003, // the app's before-send callback failed or timed out
  20004,
  20005,
  90994,
  90995,
  91000, // internal errors listed for the message APIs
]);

const SIGNATURE_REFUSED = new Set([
  70001, // UserSig expired
  60004,
  60005, // account or signature check failed, "retry later"
]);

const PERMANENT = new Set([
  60002, 60003, 60006, 60009, 60010, 60012, 60015, 60016, 60017, 60020, 60021, 60025, 60026, 60027, 60028, 70002, 70003, 70005, 70009,
  70013, 70014, 70016, 70020, 70051, 70107, 70402, 10003, 10004, 10007, 10010, 10015, 10016, 10017, 10019, 10026, 80001, 80002, 80004,
  80005,
]);

/** A frequency limit is per second: waiting about that long lets the window pass. */
const FREQUENCY_WAIT_MS = 1000;
/** 70050: failed verifications were rate-limited for a minute. */
const VERIFY_LOCKOUT_MS = 60000;

export function errorAction(code: number): ErrorAction {
  if (FREQUENCY_LIMITED.has(code)) return { kind: 'retry', retryAfterMs: FREQUENCY_WAIT_MS };
  if (TRANSIENT.has(code)) return { kind: 'retry' };
  if (SIGNATURE_REFUSED.has(code)) return { kind: 'renew-signature' };
  if (code === 70050) return { kind: 'retry', retryAfterMs: VERIFY_LOCKOUT_MS };
  if (PERMANENT.has(code)) return { kind: 'permanent' };
  // Unknown codes are retried with backoff until DELIVERY_RETRY_FOR_MS, then dead-lettered.
  return { kind: 'retry' };
}
