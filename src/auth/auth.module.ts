import { Global, Logger, Module, OnModuleInit } from '@nestjs/common';
import { Environment } from '../config/environment';
import { AnchorTokenGuard } from './anchor-token.guard';

/** Anchor authentication: the guard on heartbeat and end, available to every module. */
@Global()
@Module({ providers: [AnchorTokenGuard], exports: [AnchorTokenGuard] })
export class AuthModule implements OnModuleInit {
  constructor(private readonly env: Environment) {}

  onModuleInit(): void {
    if (this.env.AUTH_MODE === 'none') {
      new Logger('Auth').warn('AUTH_MODE=none: heartbeat and end accept any caller; use AUTH_MODE=jwt in production');
    }
  }
}
