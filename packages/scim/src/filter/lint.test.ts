import { describe, expect, it } from 'vitest';
import { SCHEMA_URNS } from '../schema/core-schemas.ts';
import { coreSchemaModel } from '../schema/schema-model.ts';
import { VENDOR_PROFILES } from '../vendors/vendor-profiles.ts';
import { lintFilter, type FilterDiagnostic } from './lint.ts';
import { parseFilter } from './parser.ts';

const schema = coreSchemaModel();
const lint = (text: string, extra: Partial<Parameters<typeof lintFilter>[1]> = {}) =>
  lintFilter(parseFilter(text, { allowNonRfcForms: true }), {
    schema,
    resourceType: 'User',
    ...extra,
  });
const codes = (ds: FilterDiagnostic[]) => ds.map((d) => `${d.severity}:${d.code}`);

describe('lintFilter', () => {
  it('finds nothing wrong with the RFC examples', () => {
    for (const text of [
      'userName eq "bjensen"',
      `name.familyName co "O'Malley"`,
      'meta.lastModified gt "2011-05-13T04:42:34Z"',
      'title pr and userType eq "Employee"',
      `schemas eq "${SCHEMA_URNS.enterpriseUser}"`,
      'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
      `${SCHEMA_URNS.enterpriseUser}:manager.value eq "26118915"`,
      'active eq true and not (emails.type eq "home")',
    ]) {
      expect(lint(text), text).toEqual([]);
    }
  });

  it('flags unknown attributes with a "did you mean"', () => {
    const [d] = lint('usrName eq "x"');
    expect(d).toMatchObject({
      code: 'UNKNOWN_ATTRIBUTE',
      severity: 'error',
      path: 'usrName',
      suggestion: 'userName',
    });
    expect(d!.message).toBe('Unknown attribute "usrName" for User; did you mean "userName"?');
    expect(lint('emails[tpye eq "work"]')[0]).toMatchObject({
      code: 'UNKNOWN_ATTRIBUTE',
      path: 'emails.tpye',
      suggestion: 'type',
    });
    expect(
      lintFilter(parseFilter('userName pr'), { schema, resourceType: 'Group' })[0],
    ).toMatchObject({ code: 'UNKNOWN_ATTRIBUTE' });
    expect(
      lintFilter(parseFilter('userName pr'), { schema, resourceType: 'Devices' })[0],
    ).toMatchObject({ code: 'UNKNOWN_RESOURCE_TYPE' });
  });

  it('flags operators that do not fit the type', () => {
    expect(codes(lint('active gt true'))).toEqual(['error:OPERATOR_TYPE_MISMATCH']);
    expect(codes(lint('active co "t"'))).toEqual(['error:OPERATOR_TYPE_MISMATCH']);
    expect(codes(lint('name gt "a"'))).toEqual(['error:OPERATOR_TYPE_MISMATCH']); // ordering on complex
    expect(codes(lint('name eq "a"'))).toEqual(['error:OPERATOR_TYPE_MISMATCH']); // complex without a value sub-attribute
    expect(codes(lint('emails eq "a@b.c"'))).toEqual(['warning:OPERATOR_TYPE_MISMATCH']); // compares emails.value
    expect(codes(lint('x509Certificates.value lt "a"'))).toEqual(['error:OPERATOR_TYPE_MISMATCH']);
    expect(codes(lint('userName[value eq "x"]'))).toEqual(['error:OPERATOR_TYPE_MISMATCH']);
    expect(codes(lint('meta.created sw "2011"'))).toEqual(['warning:OPERATOR_TYPE_MISMATCH']);
    expect(codes(lint('x509Certificates.value co "MII"'))).toEqual([
      'warning:OPERATOR_TYPE_MISMATCH',
    ]);
  });

  it('flags values of the wrong type', () => {
    expect(codes(lint('active eq "true"'))).toEqual(['error:VALUE_TYPE_MISMATCH']);
    expect(codes(lint('meta.lastModified gt "yesterday"'))).toEqual(['error:VALUE_TYPE_MISMATCH']);
    expect(codes(lint('meta.lastModified gt 1305261754'))).toEqual(['error:VALUE_TYPE_MISMATCH']);
    expect(codes(lint('userName eq 42'))).toEqual(['error:VALUE_TYPE_MISMATCH']);
    expect(codes(lint('title co null'))).toEqual(['error:VALUE_TYPE_MISMATCH']);
    expect(lint('active eq "true"')[0]!.message).toBe(
      'active is a boolean: compare it with true or false, not "true"',
    );
  });

  it('warns about values outside canonicalValues, unqualified extension names and never-returned attributes', () => {
    expect(lint('emails[type eq "office"]')).toEqual([
      expect.objectContaining({
        code: 'CANONICAL_VALUE_MISMATCH',
        severity: 'warning',
        path: 'emails.type',
      }),
    ]);
    expect(lint('emails[type eq "WORK"]')).toEqual([]);
    expect(lint('employeeNumber eq "1"')).toEqual([
      expect.objectContaining({
        code: 'UNQUALIFIED_EXTENSION_ATTRIBUTE',
        suggestion: `${SCHEMA_URNS.enterpriseUser}:employeeNumber`,
      }),
    ]);
    expect(codes(lint('password eq "x"'))).toEqual(['warning:NOT_FILTERABLE']);
  });

  it('points at the node concerned, which spans map back to the text', () => {
    const text = 'userName eq "a" and (active gt true or usrName pr)';
    const spans = new Map();
    const ast = parseFilter(text, { spans });
    const found = lintFilter(ast, { schema, resourceType: 'User' }).map((d) => {
      const span = spans.get(d.node);
      return [d.code, text.slice(span.start, span.end)];
    });
    expect(found).toEqual([
      ['OPERATOR_TYPE_MISMATCH', 'active gt true'],
      ['UNKNOWN_ATTRIBUTE', 'usrName pr'],
    ]);
    expect(spans.get(ast)).toEqual({ start: 0, end: text.length });
  });

  it('flags the non-RFC emails[…].value form', () => {
    expect(lint('emails[type eq "work"].value eq "a@b.c"')).toEqual([
      expect.objectContaining({ code: 'NON_RFC_FORM', severity: 'warning', path: 'emails' }),
    ]);
  });

  it('reports what a provider does not support', () => {
    const aws = VENDOR_PROFILES['aws-identity-center'];
    expect(lint('userName eq "a" and externalId eq "b"', { vendor: aws })).toEqual([]);
    const messages = lint('userName co "a" or not (title pr)', { vendor: aws }).map(
      (d) => d.message,
    );
    expect(messages).toEqual([
      'AWS IAM Identity Center does not support "or"',
      'AWS IAM Identity Center does not support "co"',
      'AWS IAM Identity Center does not support "not"',
      'AWS IAM Identity Center does not support "pr"',
      'AWS IAM Identity Center does not support filtering on "title" (only userName, externalId, id, groups.value, urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager)',
    ]);
    const github = VENDOR_PROFILES['github-emu'];
    expect(
      lint('userName eq "a" and externalId eq "b"', { vendor: github }).map((d) => d.message),
    ).toEqual([
      'GitHub Enterprise Managed Users does not support "and"',
      'GitHub Enterprise Managed Users does not support more than 1 comparison in one filter (this one has 2)',
    ]);
    expect(lint('emails[type eq "work"]', { vendor: VENDOR_PROFILES.slack })[0]!.message).toBe(
      'Slack SCIM API does not support value filters such as emails[…]',
    );
    expect(lint('userName eq "a" or userName co "b"', { vendor: VENDOR_PROFILES.generic })).toEqual(
      [],
    );
    const google = VENDOR_PROFILES['google-cloud-identity'];
    expect(lint('displayName eq "x"', { vendor: google }).map((d) => d.message)).toEqual([
      'Google Cloud Identity SCIM API does not support filtering on "displayName" (only userName)',
    ]);
    expect(
      lintFilter(parseFilter('displayName eq "x"'), {
        schema,
        resourceType: 'Group',
        vendor: google,
      }).map((d) => d.message),
    ).toEqual(['Google Cloud Identity SCIM API does not support the Group resource type']);
  });
});
