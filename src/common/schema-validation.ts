/**
 * How request schemas are checked, the same wherever Ajv runs (Fastify's compiler for the heartbeat route,
 * the gateway route's per-beat validator): as written, no type coercion, unknown fields refused, every fault
 * named. `example` is an OpenAPI annotation the schemas carry for the docs.
 */
export const SCHEMA_VALIDATION_OPTIONS = { coerceTypes: false, removeAdditional: false, allErrors: true, keywords: ['example'] };
