/**
 * Time as the store's TypeScript side reads it (epoch ms). The scripts read Redis TIME (includes/now.lua),
 * so every replica judges deadlines by one clock; this one only serves checks made outside a script
 * (an ended record past its retention, the guard's time buckets). The store test tier replaces both
 * together (test/store/support/manual-clock.ts).
 */
export abstract class Clock {
  abstract now(): number;
}

export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }
}
