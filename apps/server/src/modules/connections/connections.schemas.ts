/** Request/response schemas of /api/connections and the `Connection` shape (docs/api.md). */
import { VENDOR_PROFILES, type VendorId } from '@scim-console/scim';
import { z } from 'zod';
import { ROLES } from '../../lib/actor.ts';

// The vendor profiles of @scim-console/scim (VendorId) are the only valid vendors.
export const VENDOR_IDS = Object.keys(VENDOR_PROFILES) as [VendorId, ...VendorId[]];

export const AUTH_KINDS = ['static', 'oauth2', 'login'] as const;
export const EXECUTION_MODES = ['direct', 'relay'] as const;

const urlText = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(2048, 'must be at most 2048 characters');
const scopeSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(
    /^[\x21\x23-\x5b\x5d-\x7e]+$/,
    'must be a scope token (RFC 6749 §3.3: no spaces, quotes or backslashes)',
  );

const oauthFields = {
  issuer: urlText.nullish(),
  authorizationEndpoint: urlText.nullish(),
  tokenEndpoint: urlText.nullish(),
  revocationEndpoint: urlText.nullish(),
  clientId: z.string().trim().min(1, 'is required').max(256),
  /** Write-only. Absent: keep the stored secret; null: remove it; a string: replace it. */
  clientSecret: z.string().min(1, 'must not be empty (send null to remove it)').max(4096).nullish(),
  scopes: z.array(scopeSchema).max(50),
};

export const oauthInputSchema = z
  .object({ ...oauthFields, scopes: oauthFields.scopes.default([]) })
  .strict();
// No defaults in the PATCH shape: an absent field keeps the stored value.
const oauthPatchSchema = z.object(oauthFields).partial().strict();

export const grantsSchema = z
  .object({
    roles: z.array(z.enum(ROLES)).max(4).default([]),
    userIds: z.array(z.string().min(1).max(64)).max(1000).default([]),
  })
  .strict();

const nameSchema = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(100, 'must be at most 100 characters');

export const createConnectionBody = z
  .object({
    name: nameSchema,
    baseUrl: urlText,
    authKind: z.enum(AUTH_KINDS),
    executionMode: z.enum(EXECUTION_MODES).default('direct'),
    vendor: z.enum(VENDOR_IDS).default('generic'),
    allowPrivateNetwork: z.boolean().default(false),
    oauth: oauthInputSchema.nullish(),
    grants: grantsSchema.default({ roles: [], userIds: [] }),
  })
  .strict();
export type CreateConnectionInput = z.infer<typeof createConnectionBody>;

export const patchConnectionBody = z
  .object({
    name: nameSchema.optional(),
    baseUrl: urlText.optional(),
    authKind: z.enum(AUTH_KINDS).optional(),
    executionMode: z.enum(EXECUTION_MODES).optional(),
    vendor: z.enum(VENDOR_IDS).optional(),
    allowPrivateNetwork: z.boolean().optional(),
    /** Fields given replace the stored ones (clientSecret: see oauthInputSchema); null removes OAuth. */
    oauth: oauthPatchSchema.nullish(),
    grants: z
      .object({
        roles: z.array(z.enum(ROLES)).max(4).optional(),
        userIds: z.array(z.string().min(1).max(64)).max(1000).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type PatchConnectionInput = z.infer<typeof patchConnectionBody>;

export const connectionSchema = z.object({
  id: z.string(),
  name: z.string(),
  baseUrl: z.string(),
  authKind: z.enum(AUTH_KINDS),
  executionMode: z.enum(EXECUTION_MODES),
  vendor: z.enum(VENDOR_IDS),
  allowPrivateNetwork: z.boolean(),
  oauth: z
    .object({
      issuer: z.string().nullable(),
      authorizationEndpoint: z.string().nullable(),
      tokenEndpoint: z.string().nullable(),
      revocationEndpoint: z.string().nullable(),
      clientId: z.string(),
      scopes: z.array(z.string()),
      hasClientSecret: z.boolean(),
    })
    .nullable(),
  grants: z.object({ roles: z.array(z.enum(ROLES)), userIds: z.array(z.string()) }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ConnectionDto = z.infer<typeof connectionSchema>;

export const connectionIdParams = z.object({ id: z.string().min(1).max(64) });

export const testConnectionResponse = z.object({
  ok: z.boolean(),
  status: z.number().int().optional(),
  latencyMs: z.number().int(),
  message: z.string(),
  serviceProviderConfig: z.record(z.string(), z.unknown()).optional(),
});
export type TestConnectionResult = z.infer<typeof testConnectionResponse>;
