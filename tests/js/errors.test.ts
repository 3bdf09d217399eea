import { ApiError, errorFromBody } from '../../labextension/src/api/errors';

describe('errorFromBody', () => {
  it('keeps the message and the field errors of a 400 answer', () => {
    const body = JSON.stringify({
      message: 'params.max_tokens: 9999 is greater than the maximum of 512',
      errors: [
        {
          field: 'max_tokens',
          path: ['max_tokens'],
          message: 'params.max_tokens: 9999 is greater than the maximum of 512'
        }
      ]
    });
    const error = errorFromBody(400, 'Bad Request', body);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(400);
    expect(error.message).toBe('params.max_tokens: 9999 is greater than the maximum of 512');
    expect(error.errors).toEqual([
      {
        field: 'max_tokens',
        path: ['max_tokens'],
        message: 'params.max_tokens: 9999 is greater than the maximum of 512'
      }
    ]);
  });

  it('builds a message from the field errors when the body has none', () => {
    const error = errorFromBody(
      400,
      'Bad Request',
      JSON.stringify({
        errors: [
          { field: 'a', path: ['a'], message: 'x' },
          { field: 'b', path: ['b'], message: 'y' }
        ]
      })
    );
    expect(error.message).toBe('x; y');
  });

  it('falls back to the status line for an HTML page and to plain text otherwise', () => {
    expect(errorFromBody(502, 'Bad Gateway', '<html><body>proxy</body></html>').message).toBe(
      '502 Bad Gateway'
    );
    expect(errorFromBody(500, 'Internal Server Error', 'kernel died').message).toBe('kernel died');
    expect(errorFromBody(403, 'Forbidden', '').errors).toEqual([]);
  });
});
