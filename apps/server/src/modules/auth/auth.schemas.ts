import { z } from 'zod';
import { userSchema } from '../users/users.schemas.ts';

export const loginBody = z.object({
  username: z.string().trim().min(1, 'is required').max(128),
  password: z.string().min(1, 'is required').max(256),
});

export const sessionResponse = z.object({ user: userSchema, csrfToken: z.string() });

/** The public session probe: 200 whether or not anyone is signed in. */
export const sessionProbeResponse = z.object({
  user: userSchema.nullable(),
  csrfToken: z.string().nullable(),
  state: z.enum(['active', 'expired', 'none']),
});

export const providersResponse = z.object({
  local: z.literal(true),
  oidc: z.object({ enabled: z.boolean(), label: z.string() }),
});

export const preferencesBody = z.object({ theme: z.enum(['light', 'dark', 'system']) }).strict();

/** A same-origin relative path: "/x", never "//host" or "/\host" or a scheme. */
export const returnToSchema = z
  .string()
  .max(512)
  .refine((v) => /^\/(?![/\\])[^\s]*$/.test(v), 'must be a same-origin path starting with /');
