import { Injectable } from '@nestjs/common';

/**
 * Counters of the IM notifier, for logs and (later) Prometheus: what went out, what was retried,
 * what was given up for good (dead-lettered), each by IM ErrorCode or transport failure.
 */
@Injectable()
export class TencentImStats {
  sent = 0;
  signatureRenewals = 0;
  readonly retried = new Map<string, number>();
  readonly deadLettered = new Map<string, number>();

  countRetry(code: string | number): void {
    bump(this.retried, String(code));
  }

  countDeadLetter(code: string | number): void {
    bump(this.deadLettered, String(code));
  }

  snapshot() {
    return {
      sent: this.sent,
      signatureRenewals: this.signatureRenewals,
      retried: Object.fromEntries(this.retried),
      deadLettered: Object.fromEntries(this.deadLettered),
    };
  }
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
