// Error codes are a closed set shared by every transport; no zod here so the CLI's
// hot path can use it without loading the schemas.
export const ERROR_CODES = ['not_found', 'invalid_input', 'illegal_transition', 'unauthorized', 'busy', 'internal'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  /** The input field at fault, when there is one (e.g. "priority", "after.1"). */
  field?: string;
}

export class ErrandError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'ErrandError';
    this.code = code;
    this.field = field;
  }
  toJSON(): ErrorPayload {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
  static from(payload: ErrorPayload): ErrandError {
    return new ErrandError(ERROR_CODES.includes(payload.code) ? payload.code : 'internal', payload.message, payload.field);
  }
}

export const isErrandError = (e: unknown): e is ErrandError => e instanceof ErrandError;
