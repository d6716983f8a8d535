import { ArgumentMetadata, BadRequestException, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage, ValidationError } from 'class-validator';

/** Checked first, so a field gets the message for what is most wrong with it ("must be a string" before a length). */
const PRIORITY = [
  'whitelistValidation',
  'isDefined',
  'isString',
  'isInt',
  'isNumber',
  'isBoolean',
  'isIn',
  'matches',
  'minLength',
  'maxLength',
  'min',
  'max',
];

/** The 400 every route answers for a request that fails validation: one message per faulty field. */
export function validationFailure(message: string[]): BadRequestException {
  return new BadRequestException({ statusCode: 400, message, error: 'Bad Request' });
}

/**
 * The Nest routes' validation (class-validator DTOs), answering as the heartbeat and gateway routes do
 * (rooms/heartbeat.schema.ts `validationMessages`): one message per faulty field, naming it — "liveId is required",
 * "liveId must be a string", "property x should not exist" — and "body must be a JSON object" for a body that is
 * an array, a scalar or missing. Unknown fields are refused; values are transformed to the DTO's types.
 */
export class RequestValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
      validationError: { target: true, value: true },
      exceptionFactory: (errors) => validationFailure(errors.flatMap((error) => fieldMessages(error, ''))),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const isDto =
      typeof metadata.metatype === 'function' &&
      getMetadataStorage().getTargetValidationMetadatas(metadata.metatype, '', true, false).length > 0;
    if (metadata.type === 'body' && isDto && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw validationFailure(['body must be a JSON object']);
    }
    return super.transform(value, metadata);
  }
}

/** One message for the field of `error` (or one per faulty nested field), in the heartbeat route's words. */
function fieldMessages(error: ValidationError, parent: string): string[] {
  const path = parent ? `${parent}.${error.property}` : error.property;
  const failed = Object.keys(error.constraints ?? {});
  if (failed.length === 0) return (error.children ?? []).flatMap((child) => fieldMessages(child, path));
  if (failed.includes('whitelistValidation')) return [`property ${path} should not exist`];
  if (error.value === undefined || error.value === null) return [`${path} is required`];
  const rank = (name: string) => (PRIORITY.includes(name) ? PRIORITY.indexOf(name) : PRIORITY.length);
  const first = failed.sort((a, b) => rank(a) - rank(b))[0];
  const target = error.target?.constructor;
  const rule = target
    ? getMetadataStorage()
        .getTargetValidationMetadatas(target, '', true, false)
        .find((m) => m.propertyName === error.property && m.name === first)
    : undefined;
  const limit = rule?.constraints?.[0];
  if (rule?.message) return [error.constraints![first].replace(error.property, path)];
  switch (first) {
    case 'isString':
      return [`${path} must be a string`];
    case 'isInt':
      return [`${path} must be an integer`];
    case 'isNumber':
      return [`${path} must be a number`];
    case 'isBoolean':
      return [`${path} must be a boolean`];
    case 'isIn':
      return [`${path} must be one of: ${(limit as unknown[]).join(', ')}`];
    case 'minLength':
      return [limit === 1 ? `${path} must not be empty` : `${path} must be at least ${limit} characters`];
    case 'maxLength':
      return [`${path} must be at most ${limit} characters`];
    case 'min':
      return [`${path} must be at least ${limit}`];
    case 'max':
      return [`${path} must be at most ${limit}`];
    default:
      return [error.constraints![first].replace(error.property, path)];
  }
}
