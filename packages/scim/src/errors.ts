// Errors thrown by the SCIM library. Each carries a stable `code` from a closed
// union (in the style of jose's errors) so callers can map them to HTTP status and
// SCIM `scimType` in one place, and a message a person understands.

/** RFC 7644 §3.12 `scimType` values (plus RFC 9865's cursor errors). */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive'
  | 'invalidCursor'
  | 'expiredCursor'
  | 'invalidCount';

export type ScimFilterErrorCode =
  | 'EMPTY_FILTER'
  | 'FILTER_TOO_LONG'
  | 'FILTER_TOO_DEEP'
  | 'UNEXPECTED_CHARACTER'
  | 'UNEXPECTED_TOKEN'
  | 'UNEXPECTED_END'
  | 'EXPECTED_OPERATOR'
  | 'UNKNOWN_OPERATOR'
  | 'EXPECTED_VALUE'
  | 'INVALID_LITERAL'
  | 'PRESENT_WITH_VALUE'
  | 'UNTERMINATED_STRING'
  | 'INVALID_ESCAPE'
  | 'CONTROL_CHARACTER'
  | 'INVALID_NUMBER'
  | 'INVALID_ATTRIBUTE_PATH'
  | 'UNBALANCED_PARENTHESES'
  | 'UNBALANCED_BRACKETS'
  | 'NESTED_VALUE_PATH'
  | 'NON_RFC_FORM'
  | 'MISSING_WHITESPACE'
  | 'INVALID_FILTER_NODE'
  | 'OPERATOR_TYPE_MISMATCH';

/**
 * A filter (or attribute path) that is not valid RFC 7644 §3.4.2.2 grammar, or an
 * AST that cannot be turned into filter text.
 *
 * `position` is the 0-based UTF-16 offset into the text where the problem is, or -1
 * when the error does not come from text (e.g. a builder given a bad argument).
 */
export class ScimFilterError extends Error {
  override readonly name = 'ScimFilterError';
  readonly code: ScimFilterErrorCode;
  readonly scimType: 'invalidFilter' | 'invalidPath';
  readonly position: number;

  constructor(
    code: ScimFilterErrorCode,
    message: string,
    position: number,
    scimType: 'invalidFilter' | 'invalidPath' = 'invalidFilter',
  ) {
    super(message);
    this.code = code;
    this.scimType = scimType;
    this.position = position;
  }
}

export type ScimQueryErrorCode =
  | 'INVALID_ENDPOINT'
  | 'INVALID_ATTRIBUTE_PATH'
  | 'INVALID_SORT_ORDER'
  | 'INVALID_START_INDEX'
  | 'INVALID_COUNT'
  | 'INVALID_CURSOR'
  | 'INVALID_METHOD';

/** A query (`ScimQuery`) that cannot be turned into a request. `field` names the query field at fault. */
export class ScimQueryError extends Error {
  override readonly name = 'ScimQueryError';
  readonly code: ScimQueryErrorCode;
  readonly scimType: ScimType;
  readonly field: string;

  constructor(
    code: ScimQueryErrorCode,
    message: string,
    field: string,
    scimType: ScimType = 'invalidValue',
  ) {
    super(message);
    this.code = code;
    this.field = field;
    this.scimType = scimType;
  }
}

export type ScimResponseErrorCode =
  'NOT_AN_OBJECT' | 'NOT_A_LIST_RESPONSE' | 'INVALID_FIELD' | 'INVALID_SCHEMA';

/** A response body (ListResponse, /Schemas, /ResourceTypes) that does not have the RFC shape. */
export class ScimResponseError extends Error {
  override readonly name = 'ScimResponseError';
  readonly code: ScimResponseErrorCode;
  /** JSON-pointer-like location of the problem inside the body, e.g. `Resources[3].attributes[0].type`. */
  readonly field: string;

  constructor(code: ScimResponseErrorCode, message: string, field = '') {
    super(message);
    this.code = code;
    this.field = field;
  }
}
