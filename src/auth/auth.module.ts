import { Global, Logger, Module, OnModuleInit } from '@nestjs/common';
import { ConfigSection, InjectConfig } from '../config/sections';
import { AnchorAuthenticator } from './anchor-authenticator';
import { AnchorTokenGuard } from './anchor-token.guard';
import { GatewayAuthenticator } from './gateway-authenticator';

/**
 * Anchor authentication (heartbeat route, end guard; one verified-token cache for both) and gateway
 * authentication (batch heartbeats), available to every module.
 */
@Global()
@Module({
  providers: [AnchorAuthenticator, AnchorTokenGuard, GatewayAuthenticator],
  exports: [AnchorAuthenticator, AnchorTokenGuard, GatewayAuthenticator],
})
export class AuthModule implements OnModuleInit {
  constructor(@InjectConfig('auth') private readonly env: ConfigSection<'auth'>) {}

  onModuleInit(): void {
    if (this.env.AUTH_MODE === 'none') {
      new Logger('Auth').warn('AUTH_MODE=none: heartbeat and end accept any caller; use AUTH_MODE=jwt in production');
    }
  }
}
