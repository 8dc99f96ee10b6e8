import { describe, expect, it } from 'vitest';
import { ScimResponseError } from '../errors.ts';
import { CORE_RESOURCE_TYPES, CORE_SCHEMAS, SCHEMA_URNS } from './core-schemas.ts';
import { schemaModelFromDiscovery } from './discovery.ts';
import { coreSchemaModel, createSchemaModel } from './schema-model.ts';

const ENTERPRISE = SCHEMA_URNS.enterpriseUser;

describe('coreSchemaModel', () => {
  const model = coreSchemaModel();

  it('finds resource types by name, id or endpoint, in any case', () => {
    expect(model.resourceType('User')?.endpoint).toBe('/Users');
    expect(model.resourceType('/users')?.name).toBe('User');
    expect(model.resourceType('GROUPS')?.name).toBe('Group');
    expect(model.resourceType('Devices')).toBeUndefined();
  });

  it('resolves names case-insensitively to the schema spelling', () => {
    const r = model.resolve('User', 'USERNAME');
    expect(r).toMatchObject({
      schema: SCHEMA_URNS.user,
      canonicalPath: 'userName',
      extension: false,
    });
    expect(r?.attribute).toMatchObject({
      type: 'string',
      caseExact: false,
      required: true,
      uniqueness: 'server',
    });
    expect(model.resolve('User', 'name.FAMILYNAME')?.canonicalPath).toBe('name.familyName');
  });

  it('knows caseExact, types, multiValued, canonicalValues and returned', () => {
    expect(model.resolve('User', 'id')?.attribute).toMatchObject({
      caseExact: true,
      returned: 'always',
    });
    expect(model.resolve('User', 'id')).toMatchObject({ common: true });
    expect(model.resolve('User', 'emails')?.attribute).toMatchObject({
      type: 'complex',
      multiValued: true,
    });
    expect(model.resolve('User', 'emails.type')?.subAttribute?.canonicalValues).toEqual([
      'work',
      'home',
      'other',
    ]);
    expect(model.resolve('User', 'active')?.attribute.type).toBe('boolean');
    expect(model.resolve('User', 'meta.lastModified')?.subAttribute?.type).toBe('dateTime');
    expect(model.resolve('User', 'password')?.attribute.returned).toBe('never');
    expect(model.resolve('Group', 'members.$ref')?.subAttribute?.referenceTypes).toEqual([
      'User',
      'Group',
    ]);
  });

  it('resolves URN-qualified core and extension paths, and bare extension names', () => {
    expect(model.resolve('User', `${SCHEMA_URNS.user}:name.givenName`)?.canonicalPath).toBe(
      'name.givenName',
    );
    const manager = model.resolve('User', `${ENTERPRISE.toUpperCase()}:Manager.Value`);
    expect(manager).toMatchObject({
      schema: ENTERPRISE,
      canonicalPath: `${ENTERPRISE}:manager.value`,
      extension: true,
    });
    expect(model.resolve('User', 'employeeNumber')?.canonicalPath).toBe(
      `${ENTERPRISE}:employeeNumber`,
    );
    expect(
      model.resolve('User', { uri: ENTERPRISE, attribute: 'costCenter' })?.attribute.name,
    ).toBe('costCenter');
  });

  it('does not mix resource types or invent attributes', () => {
    expect(model.resolve('Group', 'userName')).toBeUndefined();
    expect(model.resolve('Group', 'employeeNumber')).toBeUndefined();
    expect(model.resolve('User', 'name.nope')).toBeUndefined();
    expect(model.resolve('User', 'not a path')).toBeUndefined();
    expect(model.resolve('Nope', 'id')).toBeUndefined();
  });

  it('lists attributes flattened, with sub-attributes and extensions', () => {
    const paths = model.attributesOf('User').map((a) => a.path);
    expect(paths).toContain('userName');
    expect(paths).toContain('name.familyName');
    expect(paths).toContain('meta.lastModified');
    expect(paths).toContain(`${ENTERPRISE}:manager.value`);
    expect(model.attributesOf('Group').map((a) => a.path)).toEqual(
      expect.arrayContaining(['displayName', 'members.value', 'members.type', 'id']),
    );
  });

  it('suggests the closest attribute for a typo', () => {
    expect(model.suggest('User', 'usrName')).toBe('userName');
    expect(model.suggest('User', 'emails.vaule')).toBe('emails.value');
    expect(model.suggest('User', 'employeNumber')).toBe(`${ENTERPRISE}:employeeNumber`);
    expect(model.suggest('User', 'zzzzzzzzzz')).toBeUndefined();
  });
});

describe('schemaModelFromDiscovery', () => {
  const listResponse = (resources: unknown[]) => ({
    schemas: [SCHEMA_URNS.listResponse],
    totalResults: resources.length,
    Resources: resources,
  });
  const customSchema = {
    id: 'urn:example:params:scim:schemas:extension:acme:2.0:User',
    name: 'AcmeUser',
    attributes: [
      { name: 'badgeNumber', type: 'integer', caseExact: 'false' },
      {
        name: 'Clearance',
        type: 'STRING',
        canonicalValues: ['low', 'high'],
        mutability: 'READONLY',
      },
      { name: 'hiredAt', type: 'DateTime' },
    ],
  };

  it('reads ListResponse bodies, fills RFC defaults and normalises enum case', () => {
    const model = schemaModelFromDiscovery(
      listResponse([JSON.parse(JSON.stringify(CORE_SCHEMAS.user)), customSchema]),
      listResponse([
        {
          schemas: [SCHEMA_URNS.resourceType],
          id: 'User',
          name: 'User',
          endpoint: 'Users',
          schema: SCHEMA_URNS.user,
          schemaExtensions: [
            { schema: customSchema.id, required: true },
            { schema: ENTERPRISE, required: false },
          ],
        },
      ]),
    );
    expect(model.resourceType('Users')?.endpoint).toBe('/Users');
    expect(model.resolve('User', `${customSchema.id}:badgeNumber`)?.attribute).toMatchObject({
      type: 'integer',
      multiValued: false,
      caseExact: false,
      returned: 'default',
    });
    expect(model.resolve('User', 'clearance')?.attribute).toMatchObject({
      mutability: 'readOnly',
      canonicalValues: ['low', 'high'],
    });
    expect(model.resolve('User', 'hiredAt')?.attribute.type).toBe('dateTime');
    // The enterprise extension is named by the resource type but missing from /Schemas: filled from the RFC.
    expect(model.resolve('User', `${ENTERPRISE}:manager.value`)?.extension).toBe(true);
    expect(model.resolve('User', 'emails.value')?.subAttribute?.name).toBe('value');
  });

  it('accepts bare arrays', () => {
    const model = schemaModelFromDiscovery(
      [CORE_SCHEMAS.group],
      CORE_RESOURCE_TYPES.filter((r) => r.name === 'Group'),
    );
    expect(model.resolve('Groups', 'displayName')).toBeDefined();
  });

  it('names the field that makes a body unusable', () => {
    expect(() => schemaModelFromDiscovery('nope', [])).toThrow(ScimResponseError);
    expect(() =>
      schemaModelFromDiscovery([{ id: 'urn:x', attributes: [{ type: 'string' }] }], []),
    ).toThrow(expect.objectContaining({ field: 'Resources[0].attributes[0].name' }));
    expect(() => schemaModelFromDiscovery([], [{ name: 'User', schema: 'urn:x' }])).toThrow(
      expect.objectContaining({ field: 'Resources[0].endpoint' }),
    );
  });

  it('builds models from definitions directly', () => {
    const model = createSchemaModel([CORE_SCHEMAS.group], [CORE_RESOURCE_TYPES[1]!]);
    expect(model.schemasOf('Group').map((s) => s.id)).toEqual([SCHEMA_URNS.group]);
  });
});
