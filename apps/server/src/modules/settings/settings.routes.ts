/**
 * /api/settings/branding: public read (the login page shows it), admin write (audited).
 * Stored as JSON in the settings table under the key "branding".
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { recordAudit } from '../audit/audit.service.ts';
import {
  brandingResponse,
  brandingSchema,
  DEFAULT_BRANDING,
  type Branding,
} from './settings.schemas.ts';

const KEY = 'branding';

export const settingsRoutes: FastifyPluginAsyncZod = async (app) => {
  const readBranding = async (): Promise<Branding> => {
    const row = await app.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', KEY)
      .executeTakeFirst();
    if (!row) return DEFAULT_BRANDING;
    const parsed = brandingSchema.safeParse(JSON.parse(row.value));
    return parsed.success ? parsed.data : DEFAULT_BRANDING;
  };

  app.get(
    '/api/settings/branding',
    {
      config: { permission: 'public' },
      schema: { tags: ['settings'], response: { 200: brandingResponse } },
    },
    async () => readBranding(),
  );

  app.put(
    '/api/settings/branding',
    {
      config: { permission: 'admin:manage' },
      schema: { tags: ['settings'], body: brandingSchema, response: { 200: brandingResponse } },
    },
    async (request) => {
      const value = JSON.stringify(request.body);
      const at = app.now().toISOString();
      await app.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('settings')
          .values({ key: KEY, value, updated_at: at, updated_by: request.actor!.userId })
          .onConflict((oc) =>
            oc
              .column('key')
              .doUpdateSet({ value, updated_at: at, updated_by: request.actor!.userId }),
          )
          .execute();
        await recordAudit(trx, {
          action: 'settings.updated',
          actor: request.actor!,
          outcome: { status: 200 },
          details: { keys: ['branding'] },
        });
      });
      return readBranding();
    },
  );
};
