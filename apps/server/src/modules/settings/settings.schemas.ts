import { z } from 'zod';

export const LOGO_MAX_BYTES = 100 * 1024;

const LOGO_PATTERN = /^data:image\/(png|svg\+xml|jpeg);base64,([A-Za-z0-9+/]+={0,2})$/;

export const brandingSchema = z.object({
  name: z.string().trim().min(1, 'is required').max(60, 'must be at most 60 characters'),
  primaryColor: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #0d6efd')
    .transform((v) => v.toLowerCase()),
  logoDataUrl: z
    .string()
    .max(Math.ceil((LOGO_MAX_BYTES * 4) / 3) + 64, 'must be at most 100 KB')
    .refine(
      (v) => LOGO_PATTERN.test(v),
      'must be a data:image/png, image/svg+xml or image/jpeg base64 URL',
    )
    .refine(
      (v) => Buffer.from(v.slice(v.indexOf(',') + 1), 'base64').length <= LOGO_MAX_BYTES,
      'must be at most 100 KB',
    )
    .nullable(),
});
export type Branding = z.output<typeof brandingSchema>;

/** Response shape: no transforms (responses are encoded through their schema). */
export const brandingResponse = z.object({
  name: z.string(),
  primaryColor: z.string(),
  logoDataUrl: z.string().nullable(),
});

export const DEFAULT_BRANDING: Branding = Object.freeze({
  name: 'SCIM Console',
  primaryColor: '#0d6efd',
  logoDataUrl: null,
});
