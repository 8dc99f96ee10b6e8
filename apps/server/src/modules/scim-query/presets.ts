import { eq, gt, not, pr, sw, valuePath, type FilterNode } from '@scim-console/scim';
import { AppError } from '../../lib/errors.ts';

/**
 * Predefined queries (docs/api.md "Presets"). Each builds its filter with the SCIM library's
 * builders from validated parameters; parameter values are data, never filter text, so
 * `" or userName pr or "` in a department name stays one string literal.
 */

export type PresetParameterType = 'string' | 'dateTime' | 'group' | 'department';

export interface PresetParameter {
  name: string;
  label: string;
  type: PresetParameterType;
  required: boolean;
}

export interface PresetDefinition {
  id: string;
  name: string;
  description: string;
  resourceType: 'User' | 'Group';
  parameters: PresetParameter[];
  build(params: Readonly<Record<string, string>>): FilterNode | null;
}

export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export const PRESET_LIMITS = Object.freeze({ maxParamLength: 256 });

export const PRESETS: readonly PresetDefinition[] = Object.freeze([
  {
    id: 'all-users',
    name: 'All users',
    description: 'Every user the provider returns (paged).',
    resourceType: 'User',
    parameters: [],
    build: () => null,
  },
  {
    id: 'active-users',
    name: 'Active users',
    description: 'Users whose account is active (active eq true).',
    resourceType: 'User',
    parameters: [],
    build: () => eq('active', true),
  },
  {
    id: 'inactive-users',
    name: 'Inactive users',
    description: 'Users whose account is deactivated (active eq false).',
    resourceType: 'User',
    parameters: [],
    build: () => eq('active', false),
  },
  {
    id: 'users-without-work-email',
    name: 'Users without a work email',
    description: 'Users with no email of type "work" (not (emails[type eq "work"])).',
    resourceType: 'User',
    parameters: [],
    build: () => not(valuePath('emails', eq('type', 'work'))),
  },
  {
    id: 'users-in-department',
    name: 'Users in a department',
    description: 'Users whose enterprise-extension department equals the given name.',
    resourceType: 'User',
    parameters: [{ name: 'department', label: 'Department', type: 'department', required: true }],
    build: (p) => eq(`${ENTERPRISE_USER}:department`, p['department']!),
  },
  {
    id: 'members-of-group',
    name: 'Members of a group',
    description: 'Users that belong to the group with the given id (groups.value eq "<id>").',
    resourceType: 'User',
    parameters: [{ name: 'groupId', label: 'Group', type: 'group', required: true }],
    build: (p) => eq('groups.value', p['groupId']!),
  },
  {
    id: 'changed-since',
    name: 'Users changed since',
    description:
      'Users modified after the given date and time (meta.lastModified gt "<dateTime>").',
    resourceType: 'User',
    parameters: [{ name: 'since', label: 'Changed after', type: 'dateTime', required: true }],
    build: (p) => gt('meta.lastModified', p['since']!),
  },
  {
    id: 'find-user-by-username',
    name: 'Find a user by user name',
    description: 'The user with the given userName (case-insensitive per RFC 7643).',
    resourceType: 'User',
    parameters: [{ name: 'userName', label: 'User name', type: 'string', required: true }],
    build: (p) => eq('userName', p['userName']!),
  },
  {
    id: 'all-groups',
    name: 'All groups',
    description: 'Every group the provider returns (paged).',
    resourceType: 'Group',
    parameters: [],
    build: () => null,
  },
  {
    id: 'groups-without-members',
    name: 'Groups without members',
    description: 'Groups whose members attribute is empty (not (members pr)).',
    resourceType: 'Group',
    parameters: [],
    build: () => not(pr('members')),
  },
  {
    id: 'groups-by-name',
    name: 'Groups whose name starts with',
    description: 'Groups whose displayName starts with the given text.',
    resourceType: 'Group',
    parameters: [{ name: 'prefix', label: 'Name starts with', type: 'string', required: true }],
    build: (p) => sw('displayName', p['prefix']!),
  },
] satisfies PresetDefinition[]);

// xsd:dateTime as RFC 7643 §2.3.5 uses it: date, time, optional fraction, mandatory zone.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export function findPreset(id: string): PresetDefinition | undefined {
  return PRESETS.find((p) => p.id === id);
}

/** Validates parameters and builds the preset's filter. Errors name `body.preset.params.<name>`. */
export function buildPreset(
  id: string,
  params: Readonly<Record<string, unknown>>,
): { preset: PresetDefinition; filter: FilterNode | null } {
  const preset = findPreset(id);
  if (!preset)
    throw new AppError('VALIDATION_FAILED', `Unknown preset ${JSON.stringify(id.slice(0, 64))}`, {
      field: 'body.preset.id',
    });
  const clean: Record<string, string> = {};
  for (const key of Object.keys(params)) {
    if (!preset.parameters.some((p) => p.name === key)) {
      throw new AppError(
        'VALIDATION_FAILED',
        `Preset "${preset.id}" has no parameter ${JSON.stringify(key.slice(0, 64))}`,
        {
          field: `body.preset.params`,
        },
      );
    }
  }
  for (const parameter of preset.parameters) {
    const field = `body.preset.params.${parameter.name}`;
    const raw = params[parameter.name];
    if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) {
      if (parameter.required)
        throw new AppError('VALIDATION_FAILED', `"${parameter.label}" is required`, { field });
      continue;
    }
    if (typeof raw !== 'string')
      throw new AppError('VALIDATION_FAILED', `"${parameter.label}" must be a string`, { field });
    if (raw.length > PRESET_LIMITS.maxParamLength) {
      throw new AppError(
        'VALIDATION_FAILED',
        `"${parameter.label}" is longer than ${PRESET_LIMITS.maxParamLength} characters`,
        { field },
      );
    }
    if (parameter.type === 'dateTime') {
      const value = raw.trim();
      if (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
        throw new AppError(
          'VALIDATION_FAILED',
          `"${parameter.label}" must be a date and time like 2026-01-31T00:00:00Z`,
          {
            field,
            scimType: 'invalidValue',
          },
        );
      }
      clean[parameter.name] = value;
    } else {
      clean[parameter.name] = raw;
    }
  }
  return { preset, filter: preset.build(clean) };
}

export function isDateTime(value: string): boolean {
  return DATE_TIME.test(value) && !Number.isNaN(Date.parse(value));
}
