/**
 * A call to the service that failed: `status` is the HTTP status and `body` the parsed answer when there was one
 * (null after a network error or time-out). AnchorClientError and GatewayClientError name which client threw it.
 */
export class ServiceError extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
    readonly body: unknown = null,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
