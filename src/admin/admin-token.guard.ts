import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { ConfigSection, InjectConfig } from '../config/sections';

/** Admits requests bearing ADMIN_TOKEN; compares digests in constant time so timing reveals nothing. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer | null;

  constructor(@InjectConfig('admin') env: ConfigSection<'admin'>) {
    this.expected = env.ADMIN_TOKEN ? digest(env.ADMIN_TOKEN) : null;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) throw new ForbiddenException('admin API disabled: ADMIN_TOKEN is not set');
    const header: unknown = context.switchToHttp().getRequest().headers.authorization;
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!token || !timingSafeEqual(digest(token), this.expected)) throw new UnauthorizedException('admin token required');
    return true;
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
