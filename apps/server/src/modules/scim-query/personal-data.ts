import { walkFilter, type FilterNode } from '@scim-console/scim';

/**
 * RFC 7644 §7.5.2: a filter that carries personal data should not travel in a URL (logs,
 * history, proxies). The rule used to pick POST /.search in `method: 'auto'`:
 *
 *   a filter carries personal data when it compares a non-empty STRING literal with an
 *   attribute below, judged by the top-level attribute (so `emails[type eq "work"]` and
 *   `name.familyName sw "O"` both count). Presence tests, numbers, booleans, dates compared
 *   with `meta.*`, ids and group ids do not count.
 *
 * The list is deliberately broad; a false positive only costs a POST. For groups only the
 * membership (`members`) counts: a group's displayName names a team, not a person.
 */
export const PERSONAL_ATTRIBUTES: ReadonlySet<string> = new Set([
  'username',
  'name',
  'displayname',
  'nickname',
  'profileurl',
  'title',
  'emails',
  'phonenumbers',
  'ims',
  'photos',
  'addresses',
  'x509certificates',
  'externalid',
  // enterprise extension (matched by attribute name whatever the URN prefix)
  'employeenumber',
  'manager',
  // group membership shows who is in a group
  'members',
]);

const GROUP_PERSONAL_ATTRIBUTES: ReadonlySet<string> = new Set(['members']);

export function carriesPersonalData(
  filter: FilterNode | null | undefined,
  resourceType = 'User',
): boolean {
  if (!filter) return false;
  const personalSet =
    resourceType.toLowerCase() === 'group' ? GROUP_PERSONAL_ATTRIBUTES : PERSONAL_ATTRIBUTES;
  let personal = false;
  const visit = (node: FilterNode, parentAttribute: string | undefined) => {
    if (node.kind === 'compare' && typeof node.value === 'string' && node.value !== '') {
      const attribute = (parentAttribute ?? node.path.attribute).toLowerCase();
      if (personalSet.has(attribute)) personal = true;
    }
  };
  walkFilter(filter, (node) => {
    if (node.kind === 'valuePath') {
      walkFilter(node.filter, (inner) => visit(inner, node.path.attribute));
    } else {
      visit(node, undefined);
    }
  });
  return personal;
}
