import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { StatusStore } from '../store/status-store';

/** Whether this replica reaches Redis, and since when it does not (what the status page says first). */
export interface RedisReachabilityState {
  reachable: boolean;
  /** Epoch ms since which Redis has not answered (the connection closed, or a read failed), or null. */
  unreachableSince: number | null;
  /** Epoch ms of the latest successful read by the status page, or null before the first. */
  lastAnsweredAt: number | null;
  /** The latest error, without secrets (ioredis messages name host and port, never the password). */
  lastError: string | null;
}

/**
 * Follows the shared client's connection events (`close` marks Redis unreachable from that moment, `ready` reachable
 * again) and the status page's own reads (a failed or timed-out read marks it unreachable, e.g. a Redis that hangs
 * without closing the connection). Per replica: each replica reports what it sees.
 */
@Injectable()
export class RedisReachability implements OnModuleInit, OnModuleDestroy {
  private unreachableSince: number | null = null;
  private lastAnsweredAt: number | null = null;
  private lastError: string | null = null;
  private unwatch: (() => void) | null = null;

  constructor(private readonly status: StatusStore) {}

  onModuleInit(): void {
    this.unwatch = this.status.watchConnection({
      ready: () => {
        this.unreachableSince = null;
        this.lastError = null;
      },
      close: () => {
        this.unreachableSince ??= Date.now();
      },
      error: (err) => {
        this.lastError = err.message;
      },
    });
    if (!this.status.connected && !this.status.connecting) this.unreachableSince = Date.now();
  }

  onModuleDestroy(): void {
    this.unwatch?.();
  }

  /** A read answered at `at` (epoch ms). */
  answered(at: number): void {
    this.lastAnsweredAt = at;
    if (this.status.connected) {
      this.unreachableSince = null;
      this.lastError = null;
    }
  }

  /** A read failed or timed out at `at` (epoch ms). */
  failed(err: Error, at: number): void {
    this.unreachableSince ??= at;
    // The connection's own error (e.g. ECONNREFUSED host:port) says more than a refused command's.
    this.lastError ??= err.message;
  }

  state(): RedisReachabilityState {
    return {
      reachable: this.unreachableSince === null,
      unreachableSince: this.unreachableSince,
      lastAnsweredAt: this.lastAnsweredAt,
      lastError: this.unreachableSince === null ? null : this.lastError,
    };
  }
}
