/** Security scheme name used by @ApiBearerAuth on admin routes. */
export const ADMIN_SECURITY = 'admin';
/** Security scheme name of Tencent IM's callback signature (the `Sign` query parameter, with `RequestTime`). */
export const IM_CALLBACK_SECURITY = 'imCallbackSign';
/** Security scheme name of the anchor JWT on heartbeat and end (AUTH_MODE=jwt). */
export const ANCHOR_SECURITY = 'anchor';
/** Security scheme name of the gateway JWT on batch heartbeats (AUTH_MODE=jwt). */
export const GATEWAY_SECURITY = 'gateway';
