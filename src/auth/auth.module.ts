import { Global, Logger, Module, OnModuleInit } from '@nestjs/common';
import { Environment } from '../config/environment';
import { AnchorAuthenticator } from './anchor-authenticator';
import { AnchorTokenGuard } from './anchor-token.guard';

/** Anchor authentication (heartbeat route, end guard), available to every module; one verified-token cache for both. */
@Global()
@Module({ providers: [AnchorAuthenticator, AnchorTokenGuard], exports: [AnchorAuthenticator, AnchorTokenGuard] })
export class AuthModule implements OnModuleInit {
  constructor(private readonly env: Environment) {}

  onModuleInit(): void {
    if (this.env.AUTH_MODE === 'none') {
      new Logger('Auth').warn('AUTH_MODE=none: heartbeat and end accept any caller; use AUTH_MODE=jwt in production');
    }
  }
}
