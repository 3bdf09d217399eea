/**
 * Errors of the dlviz-lab REST API: the server answers `{"message", "errors": [{"field", "path",
 * "message"}]}`; both parts are kept so the panel can show field errors next to their field.
 */

/** One error of a 400 answer: which field, where in the params, and what is wrong. */
export interface IFieldError {
  field: string | null;
  path: (string | number)[];
  message: string;
}

/** A server answer that was not a success, with its message and field errors. */
export class ApiError extends Error {
  readonly status: number;
  readonly errors: IFieldError[];

  constructor(status: number, message: string, errors: IFieldError[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.errors = errors;
  }
}

/** The ApiError of an answer's status and body text (JSON from our handlers, else anything). */
export function errorFromBody(status: number, statusText: string, text: string): ApiError {
  try {
    const body = JSON.parse(text);
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      const errors = Array.isArray(body.errors) ? (body.errors as IFieldError[]) : [];
      const message =
        typeof body.message === 'string' && body.message
          ? body.message
          : errors.map(e => e.message).join('; ') || `${status} ${statusText}`.trim();
      return new ApiError(status, message, errors);
    }
  } catch {
    // not JSON: a proxy's HTML page, a plain text reason
  }
  const plain = text.trim();
  // An HTML error page says nothing a learner can use; the status line does.
  return new ApiError(
    status,
    plain && !plain.startsWith('<') ? plain : `${status} ${statusText}`.trim()
  );
}
