import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ApiErrorBody } from '@firebreak/shared';

type Issue = { path: string; message: string };

/** An error with a machine-readable code; `app.onError` turns it into `{error: {code, message, issues?}}`. */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly issues?: Issue[]
  ) {
    super(status, { message });
  }
}

export function errorBody(code: string, message: string, issues?: Issue[]): ApiErrorBody {
  return { error: issues ? { code, message, issues } : { code, message } };
}
