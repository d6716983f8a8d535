import { randomFillSync } from 'node:crypto';

const TOKEN_BYTES = 6;
const pool = Buffer.alloc(TOKEN_BYTES * 1024);
let next = pool.length;

/**
 * A fresh random token for the events one script call may emit: 12 hex digits (48 bits) from a pool filled
 * by the OS's CSPRNG, so a heartbeat pays a buffer slice, not a system call. The scripts put it into every
 * event id they write (includes/emit.lua): a token is never drawn twice in practice (two given calls share one
 * with probability 2^-48), so no write lost in a failover, no restore from an older backup and no liveId used
 * again after retention can make a new event's id equal one already sent.
 */
export function eventToken(): string {
  if (next >= pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  const token = pool.toString('hex', next, next + TOKEN_BYTES);
  next += TOKEN_BYTES;
  return token;
}
