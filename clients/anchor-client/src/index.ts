export { AnchorClient, AnchorClientError } from './anchor-client';
export type { AnchorClientOptions, AnchorState, HeartbeatReply, StopOptions } from './anchor-client';
export { backoffDelay, parseRetryAfter } from './backoff';
export { GatewayClient, GatewayClientError } from './gateway-client';
export type { GatewayBeat, GatewayBeatResult, GatewayClientOptions } from './gateway-client';
export { ServiceError } from './service-error';
