/** A failure that maps to a Problem Details response (RFC 9457). Anything else is a bug (500). */
export interface FieldError {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;
  /** Extra members for the problem body (e.g. risk checks). */
  readonly extra?: Record<string, unknown>;

  constructor(
    status: number,
    code: string,
    detail: string,
    opts: { errors?: FieldError[]; headers?: Record<string, string>; extra?: Record<string, unknown> } = {},
  ) {
    super(detail);
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.errors = opts.errors;
    this.headers = opts.headers;
    this.extra = opts.extra;
  }
}

/** HTTP reason phrases (RFC 9110): every problem's `title` is its status's, never its code. */
const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The reason phrase of `status` (the title of its problems); the local runtime's own answers use it too. */
export function reasonPhrase(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  errors?: FieldError[];
  [k: string]: unknown;
}

/** Problem Details body; `type` is a stable URI per code. */
export function toProblem(err: AppError, requestId: string): Problem {
  return {
    type: `https://ballast.dev/problems/${err.code.toLowerCase().replace(/_/g, '-')}`,
    title: reasonPhrase(err.status),
    status: err.status,
    detail: err.message,
    code: err.code,
    requestId,
    ...(err.errors && err.errors.length ? { errors: err.errors } : {}),
    ...(err.extra ?? {}),
  };
}

export const badRequest = (code: string, detail: string, errors?: FieldError[]) =>
  new AppError(400, code, detail, { errors });
export const unauthorized = (code: string, detail: string) => new AppError(401, code, detail);
export const forbidden = (code: string, detail: string) => new AppError(403, code, detail);
export const notFound = (code: string, detail: string) => new AppError(404, code, detail);
export const conflict = (code: string, detail: string) => new AppError(409, code, detail);
export const preconditionFailed = (detail: string) => new AppError(412, 'VERSION_MISMATCH', detail);
export const unavailable = (code: string, detail: string) => new AppError(503, code, detail);
