import Redis from 'ioredis';
import type { RedisClient } from './redis-connection';

/**
 * Lets the commands issued during one turn of the event loop leave in one socket write instead of one
 * write each: the first hold() of a turn corks the connection's socket, and it is uncorked once the turn's
 * I/O callbacks have run (setImmediate). At thousands of heartbeats a second the per-command write was the
 * heaviest single cost of a beat, in the service and in Redis (bench/heartbeat.ts). Unlike ioredis's
 * auto-pipelining, each command stays an ordinary command: its errors, retries and timeouts are unchanged.
 * Cluster clients are left alone (their commands go to several sockets, chosen inside ioredis).
 */
export class WriteCoalescer {
  private holding = false;

  constructor(private readonly redis: RedisClient) {}

  hold(): void {
    if (this.holding || !(this.redis instanceof Redis)) return;
    const socket = this.redis.stream;
    if (!socket?.writable) return;
    this.holding = true;
    socket.cork();
    setImmediate(() => {
      this.holding = false;
      socket.uncork();
    });
  }
}
