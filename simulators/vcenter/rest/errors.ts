/**
 * vAPI standard errors (com.vmware.vapi.std.errors.*) and the two wire forms they take:
 * the older /rest API wraps them as {type, value: {messages}}, the newer /api as {error_type, messages}.
 */
export type VapiErrorKind = 'unauthenticated' | 'unauthorized' | 'not_found' | 'already_exists' | 'invalid_argument' | 'operation_not_found' | 'internal_server_error';

const STATUS: Record<VapiErrorKind, number> = {
  unauthenticated: 401,
  unauthorized: 403,
  not_found: 404,
  operation_not_found: 404,
  already_exists: 400,
  invalid_argument: 400,
  internal_server_error: 500,
};

export interface LocalizableMessage {
  id: string;
  default_message: string;
  args: string[];
}

/** Thrown anywhere in a REST operation; the router writes it in the request's form. */
export class VapiError extends Error {
  constructor(
    readonly kind: VapiErrorKind,
    readonly messageId: string,
    message: string,
    readonly args: string[] = [],
  ) {
    super(message);
  }

  get status(): number {
    return STATUS[this.kind];
  }

  get messages(): LocalizableMessage[] {
    return [{ id: this.messageId, default_message: this.message, args: this.args }];
  }

  /** /rest form: {"type":"com.vmware.vapi.std.errors.not_found","value":{"messages":[...]}}. */
  olderBody(): unknown {
    return { type: `com.vmware.vapi.std.errors.${this.kind}`, value: { messages: this.messages } };
  }

  /** /api form: {"error_type":"NOT_FOUND","messages":[...]}. */
  newerBody(): unknown {
    return { error_type: this.kind.toUpperCase(), messages: this.messages };
  }
}

export const authRequired = () => new VapiError('unauthenticated', 'com.vmware.vapi.endpoint.method.authentication.required', 'Authentication required.');
export const notFound = (what: string, id: string) => new VapiError('not_found', `com.vmware.cis.tagging.objectNotFound.error`, `${what} ${id} not found.`, [id]);
export const invalidArgument = (message: string, args: string[] = []) => new VapiError('invalid_argument', 'com.vmware.vapi.std.errors.invalid_argument', message, args);
