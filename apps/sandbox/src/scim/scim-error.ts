import type { ScimType } from '@scim-console/scim';
import type { Response } from 'express';
import { ERROR_SCHEMA } from './resources.ts';

export interface ScimErrorBody {
  schemas: [typeof ERROR_SCHEMA];
  status: string;
  scimType?: ScimType;
  detail: string;
}

/** An error that becomes a SCIM Error response; thrown by handlers, caught at the edge. */
export class ScimHttpError extends Error {
  readonly status: number;
  readonly scimType: ScimType | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    scimType: ScimType | undefined,
    detail: string,
    headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ScimHttpError';
    this.status = status;
    this.scimType = scimType;
    this.headers = headers;
  }

  toBody(): ScimErrorBody {
    return scimErrorBody(this.status, this.scimType, this.message);
  }
}

export function scimErrorBody(
  status: number,
  scimType: ScimType | undefined,
  detail: string,
): ScimErrorBody {
  return {
    schemas: [ERROR_SCHEMA],
    status: String(status),
    ...(scimType ? { scimType } : {}),
    detail,
  };
}

export function sendScimError(
  res: Response,
  status: number,
  scimType: ScimType | undefined,
  detail: string,
  headers: Record<string, string> = {},
): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res
    .status(status)
    .type('application/scim+json')
    .send(JSON.stringify(scimErrorBody(status, scimType, detail)));
}
