import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/http';
import { fieldErrors } from './field-errors';

describe('fieldErrors', () => {
  it('puts each API validation issue on the form field it names', () => {
    const error = new ApiError(
      'VALIDATION_FAILED',
      'body.oauth.scopes.0: must be a scope token',
      400,
      {
        field: 'body.oauth.scopes.0',
        issues: [
          { field: 'body.oauth.scopes.0', message: 'must be a scope token' },
          { field: 'body.name', message: 'is required' },
        ],
      },
    );
    expect(fieldErrors(error)).toEqual({
      'oauth.scopes': 'must be a scope token',
      name: 'is required',
    });
  });

  it('uses details.field alone, without repeating the field in the message', () => {
    const error = new ApiError('VALIDATION_FAILED', 'body.baseUrl: must use https', 400, {
      field: 'body.baseUrl',
    });
    expect(fieldErrors(error)).toEqual({ baseUrl: 'must use https' });
  });

  it('gives nothing for errors without a field', () => {
    expect(fieldErrors(new ApiError('CONFLICT', 'Name taken', 409))).toEqual({});
    expect(fieldErrors(null)).toEqual({});
  });
});
