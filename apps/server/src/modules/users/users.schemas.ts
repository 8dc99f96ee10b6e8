/** Request/response schemas of the users admin API and the `User` shape (docs/api.md). */
import { z } from 'zod';
import { PERMISSIONS, ROLES } from '../../lib/actor.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../auth/password.ts';

export const themeSchema = z.enum(['light', 'dark', 'system']);
export const roleSchema = z.enum(ROLES);

export const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: roleSchema,
  permissions: z.array(z.enum(PERMISSIONS)),
  authSource: z.enum(['local', 'oidc']),
  preferences: z.object({ theme: themeSchema }),
  disabled: z.boolean(),
  createdAt: z.string(),
  lastLoginAt: z.string().nullable(),
});
export type UserDto = z.infer<typeof userSchema>;

/** Lower-case letters, digits and . _ @ - ; stored lower-case so "Admin" and "admin" are one account. */
export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(2, 'must be at least 2 characters')
  .max(64, 'must be at most 64 characters')
  .regex(
    /^[a-z0-9][a-z0-9._@-]*$/,
    'may contain letters, digits and . _ @ - (starting with a letter or digit)',
  );

export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`);

export const displayNameSchema = z.string().trim().min(1).max(120);

export const createUserBody = z.object({
  username: usernameSchema,
  displayName: displayNameSchema.optional(),
  role: roleSchema,
  password: passwordSchema.optional(),
});

export const updateUserBody = z
  .object({
    displayName: displayNameSchema.optional(),
    role: roleSchema.optional(),
    password: passwordSchema.optional(),
    disabled: z.boolean().optional(),
  })
  .strict();

export const userIdParams = z.object({ id: z.string().min(1).max(64) });
