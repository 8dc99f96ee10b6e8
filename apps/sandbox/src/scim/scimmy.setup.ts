import SCIMMY from 'scimmy';
import type { DirectoryStore } from './directory.store.ts';
import {
  ENTERPRISE_SCHEMA,
  type ResourceTypeName,
  type ScimGroup,
  type ScimResource,
  type ScimUser,
} from './resources.ts';
import { ScimHttpError } from './scim-error.ts';

/** What SCIMMY hands our egress/ingress/degress handlers: the sandbox that owns the request. */
export interface ScimmyContext {
  readonly store: DirectoryStore;
  readonly scimUrl: string;
}

/** Add the URL-dependent `$ref`s (they depend on the port the sandbox listens on). */
export function decorate(resource: ScimResource, scimUrl: string): ScimResource {
  if (resource.meta.resourceType === 'User') {
    const user = resource as ScimUser;
    const enterprise = user[ENTERPRISE_SCHEMA];
    return {
      ...user,
      ...(user.groups
        ? { groups: user.groups.map((g) => ({ ...g, $ref: `${scimUrl}/Groups/${g.value}` })) }
        : {}),
      ...(enterprise?.manager
        ? {
            [ENTERPRISE_SCHEMA]: {
              ...enterprise,
              manager: {
                ...enterprise.manager,
                $ref: `${scimUrl}/Users/${enterprise.manager.value}`,
              },
            },
          }
        : {}),
    } as ScimUser;
  }
  const group = resource as ScimGroup;
  return {
    ...group,
    members: group.members.map((m) => ({
      ...m,
      $ref: `${scimUrl}/${m.type === 'Group' ? 'Groups' : 'Users'}/${m.value}`,
    })),
  };
}

function toScimmyError(error: unknown): unknown {
  if (error instanceof ScimHttpError) {
    return new SCIMMY.Types.Error(
      error.status,
      (error.scimType ?? null) as unknown as string,
      error.message,
    );
  }
  return error;
}

interface HandlerResource {
  id?: string;
}

let declared = false;

/**
 * SCIMMY's resource registry is module-level (one per process), so handlers are declared
 * once and find the right sandbox through the per-request context.
 */
export function ensureScimmyDeclared(): void {
  if (declared) return;
  declared = true;
  SCIMMY.Resources.declare(SCIMMY.Resources.User, {
    extensions: [{ schema: SCIMMY.Schemas.EnterpriseUser, required: false }],
  });
  SCIMMY.Resources.declare(SCIMMY.Resources.Group);

  const bind = (
    type: ResourceTypeName,
    Resource: typeof SCIMMY.Resources.User | typeof SCIMMY.Resources.Group,
  ): void => {
    const R = Resource as unknown as {
      egress(fn: (resource: HandlerResource, ctx: ScimmyContext) => unknown): void;
      ingress(
        fn: (resource: HandlerResource, instance: unknown, ctx: ScimmyContext) => unknown,
      ): void;
      degress(fn: (resource: HandlerResource, ctx: ScimmyContext) => unknown): void;
    };
    R.egress((resource, ctx) => {
      // Lists and searches are served by ListService; SCIMMY only reads single resources.
      if (!resource.id) return [];
      const found = ctx.store.get(type, resource.id);
      if (!found)
        throw new SCIMMY.Types.Error(
          404,
          null as unknown as string,
          `Resource ${resource.id} not found`,
        );
      return decorate(found, ctx.scimUrl);
    });
    R.ingress((resource, instance, ctx) => {
      try {
        const body = JSON.parse(JSON.stringify(instance)) as Record<string, unknown>;
        const saved =
          type === 'User'
            ? ctx.store.putUser(resource.id, body)
            : ctx.store.putGroup(resource.id, body);
        return decorate(saved, ctx.scimUrl);
      } catch (error) {
        throw toScimmyError(error);
      }
    });
    R.degress((resource, ctx) => {
      try {
        if (type === 'User') ctx.store.deleteUser(String(resource.id));
        else ctx.store.deleteGroup(String(resource.id));
      } catch (error) {
        throw toScimmyError(error);
      }
    });
  };
  bind('User', SCIMMY.Resources.User);
  bind('Group', SCIMMY.Resources.Group);
}
