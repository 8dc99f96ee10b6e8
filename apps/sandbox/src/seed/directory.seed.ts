import { Rng } from './prng.ts';
import {
  DEPARTMENTS,
  EMPTY_GROUPS,
  FAMILY_NAMES,
  GIVEN_NAMES,
  HOME_DOMAINS,
  HONORIFICS,
  MIDDLE_NAMES,
  OFFICES,
  ORGANIZATION,
  USER_TYPES,
  WORK_DOMAIN,
  type Department,
  type Office,
} from './seed-data.ts';
import {
  ENTERPRISE_SCHEMA,
  GROUP_SCHEMA,
  USER_SCHEMA,
  weakEtag,
  type MemberRef,
  type MultiValue,
  type ScimGroup,
  type ScimUser,
} from '../scim/resources.ts';

/**
 * Every timestamp in the seed is derived from this instant, never from the clock, so the
 * same seed produces byte-identical directories on every machine and every day.
 */
export const SEED_REFERENCE_DATE = '2026-01-01T00:00:00.000Z';
const REFERENCE_MS = Date.parse(SEED_REFERENCE_DATE);
const EARLIEST_MS = Date.parse('2015-01-01T00:00:00.000Z');

export type AccountRole = 'admin' | 'operator' | 'auditor' | 'viewer';

export interface SignInAccount {
  readonly username: AccountRole;
  readonly role: AccountRole;
  /** The account's SCIM user id; also the `sub` of its tokens. */
  readonly id: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly email: string;
  /** SCIM group (displayName) the account belongs to; surfaces as the `groups` claim. */
  readonly group: string;
  readonly department: string;
  readonly title: string;
}

/** The four sign-in accounts. Fixed ids so tests and demos can rely on them. */
export const SIGN_IN_ACCOUNTS: readonly SignInAccount[] = [
  {
    username: 'admin',
    role: 'admin',
    id: '00000000-0000-4000-8000-00000000ad01',
    givenName: 'Alex',
    familyName: 'Morgan',
    email: 'admin@example.com',
    group: 'SCIM Console Admins',
    department: 'IT',
    title: 'Identity Platform Lead',
  },
  {
    username: 'operator',
    role: 'operator',
    id: '00000000-0000-4000-8000-00000000ad02',
    givenName: 'Olivia',
    familyName: 'Park',
    email: 'operator@example.com',
    group: 'SCIM Console Operators',
    department: 'IT',
    title: 'Identity Engineer',
  },
  {
    username: 'auditor',
    role: 'auditor',
    id: '00000000-0000-4000-8000-00000000ad03',
    givenName: 'Aaron',
    familyName: 'Reyes',
    email: 'auditor@example.com',
    group: 'SCIM Console Auditors',
    department: 'Legal',
    title: 'Compliance Analyst',
  },
  {
    username: 'viewer',
    role: 'viewer',
    id: '00000000-0000-4000-8000-00000000ad04',
    givenName: 'Vera',
    familyName: 'Lind',
    email: 'viewer@example.com',
    group: 'SCIM Console Viewers',
    department: 'Support',
    title: 'Support Engineer',
  },
];

export interface SeedOptions {
  readonly seed: number;
  /** Total users including the four sign-in accounts (minimum 4). */
  readonly users: number;
}

export interface Directory {
  readonly users: ScimUser[];
  readonly groups: ScimGroup[];
}

function isoFrom(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString();
}

const slugs = new Map<string, string>();
function asciiSlug(text: string): string {
  let slug = slugs.get(text);
  if (slug === undefined) {
    slug = toAsciiSlug(text);
    slugs.set(text, slug);
  }
  return slug;
}

function toAsciiSlug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/ø/g, 'o')
    .replace(/[^A-Za-z0-9-]/g, '');
}

function timestamps(rng: Rng): { created: string; lastModified: string } {
  const created = EARLIEST_MS + rng.float() * (REFERENCE_MS - 86_400_000 - EARLIEST_MS);
  const lastModified = created + rng.float() * (REFERENCE_MS - created);
  return { created: isoFrom(created), lastModified: isoFrom(lastModified) };
}

const officeAddresses = new Map<Office, Record<string, unknown>>();
function officeAddress(office: Office): Record<string, unknown> {
  let address = officeAddresses.get(office);
  if (!address) {
    address = Object.freeze({
      type: 'work',
      streetAddress: office.street,
      locality: office.locality,
      region: office.region,
      postalCode: office.postalCode,
      country: office.country,
      formatted: `${office.street}\n${office.locality} ${office.postalCode}\n${office.country}`,
      primary: true,
    });
    officeAddresses.set(office, address);
  }
  return address;
}

function phone(rng: Rng, prefix: string): string {
  return `${prefix} ${String(rng.int(0, 9999)).padStart(4, '0')}`;
}

/**
 * Build the seeded directory. Pure and deterministic: (seed, users) → the same users and
 * groups, in the same order, with the same ids.
 */
export function generateDirectory(options: SeedOptions): Directory {
  const count = Math.max(4, Math.floor(options.users));
  const rng = new Rng(options.seed);
  const users: ScimUser[] = [];
  const userNameCounts = new Map<string, number>();
  const departmentOf: Department[] = [];
  const departmentWeights = DEPARTMENTS.map((d) => [d, d.weight] as const);
  const officeWeights = OFFICES.map((o) => [o, o.weight] as const);
  const typeWeights = USER_TYPES;

  for (let index = 0; index < count; index++) {
    const account = SIGN_IN_ACCOUNTS[index];
    const givenName = account ? account.givenName : rng.pick(GIVEN_NAMES);
    const familyName = account ? account.familyName : rng.pick(FAMILY_NAMES);
    const department = account
      ? (DEPARTMENTS.find((d) => d.name === account.department) as Department)
      : rng.weighted(departmentWeights);
    const office = rng.weighted(officeWeights);
    const userType = account ? 'Employee' : rng.weighted(typeWeights);
    const id = account ? account.id : rng.uuid();
    const { created, lastModified } = timestamps(rng);

    let userName: string;
    if (account) {
      userName = account.email;
    } else {
      const base = `${asciiSlug(givenName)}.${asciiSlug(familyName)}`;
      const key = base.toLowerCase();
      const seen = (userNameCounts.get(key) ?? 0) + 1;
      userNameCounts.set(key, seen);
      const local = seen === 1 ? base : `${base}${seen}`;
      // Most directories lowercase user names; some keep the case HR typed. Both must match
      // case-insensitively, which is exactly what the console's filters need to prove.
      userName = `${rng.chance(0.75) ? local.toLowerCase() : local}@${WORK_DOMAIN}`;
    }

    const middleName = rng.chance(0.2) ? rng.pick(MIDDLE_NAMES) : undefined;
    const honorificPrefix = rng.chance(0.1) ? rng.pick(HONORIFICS) : undefined;
    const displayName = `${givenName} ${familyName}`;
    const formatted = [honorificPrefix, givenName, middleName, familyName]
      .filter(Boolean)
      .join(' ');

    const emails: MultiValue[] = [];
    // About 6% (more among contractors and vendors) have no work mailbox at all.
    const noWorkEmail = !account && rng.chance(userType === 'Employee' ? 0.04 : 0.15);
    if (!noWorkEmail) emails.push({ value: userName.toLowerCase(), type: 'work', primary: true });
    if (rng.chance(0.55) || noWorkEmail) {
      const home = `${asciiSlug(givenName).toLowerCase()}${rng.int(1, 999)}@${rng.pick(HOME_DOMAINS)}`;
      emails.push(
        noWorkEmail ? { value: home, type: 'home', primary: true } : { value: home, type: 'home' },
      );
    }

    const phoneNumbers: MultiValue[] = [];
    if (rng.chance(0.8))
      phoneNumbers.push({ value: phone(rng, office.phonePrefix), type: 'work', primary: true });
    if (rng.chance(0.6))
      phoneNumbers.push({ value: phone(rng, office.phonePrefix), type: 'mobile' });

    const title = account ? account.title : rng.pick(department.titles);
    const teamIndex = rng.int(0, department.teams.length - 1);
    const active = account ? true : rng.chance(0.85);

    const user: ScimUser = {
      schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
      id,
      externalId: `HR-${String(100001 + index)}`,
      userName,
      name: {
        formatted,
        familyName,
        givenName,
        ...(middleName ? { middleName } : {}),
        ...(honorificPrefix ? { honorificPrefix } : {}),
      },
      displayName,
      ...(rng.chance(0.1) ? { nickName: givenName.slice(0, 3) } : {}),
      title,
      userType,
      preferredLanguage: office.language,
      locale: office.locale,
      timezone: office.timezone,
      active,
      ...(emails.length ? { emails } : {}),
      ...(phoneNumbers.length ? { phoneNumbers } : {}),
      // One shared (never mutated) address object per office: 100k users, 13 objects.
      addresses: [officeAddress(office)],
      [ENTERPRISE_SCHEMA]: {
        employeeNumber: String(100001 + index),
        costCenter: `CC-${department.code}-${4100 + teamIndex * 10}`,
        organization: ORGANIZATION,
        division: department.division,
        department: department.name,
      },
      meta: {
        resourceType: 'User',
        created,
        lastModified,
        version: weakEtag(`${id}|${lastModified}|0`),
      },
    };
    users.push(user);
    departmentOf.push(department);
  }

  assignManagers(rng, users, departmentOf);
  const groups = buildGroups(rng, users, departmentOf);
  return { users, groups };
}

/** Managers come from the same department; department heads report to the admin account. */
function assignManagers(rng: Rng, users: ScimUser[], departmentOf: Department[]): void {
  const managersByDept = new Map<string, ScimUser[]>();
  users.forEach((user, index) => {
    if (index >= SIGN_IN_ACCOUNTS.length && user.active && rng.chance(0.08)) {
      const dept = (departmentOf[index] as Department).name;
      user.title = `${dept} Manager`;
      const list = managersByDept.get(dept) ?? [];
      list.push(user);
      managersByDept.set(dept, list);
    }
  });
  const admin = users[0] as ScimUser;
  const isManager = new Set([...managersByDept.values()].flat());
  users.forEach((user, index) => {
    if (index === 0) return;
    const managers = managersByDept.get((departmentOf[index] as Department).name) ?? [];
    const head = managers[0];
    let manager: ScimUser | undefined;
    if (user === head || managers.length === 0) manager = admin;
    else if (isManager.has(user)) manager = head;
    else manager = rng.pick(managers);
    if (manager && manager !== user) {
      (user[ENTERPRISE_SCHEMA] as NonNullable<ScimUser[typeof ENTERPRISE_SCHEMA]>).manager = {
        value: manager.id,
        displayName: manager.displayName as string,
      };
    }
  });
}

function buildGroups(rng: Rng, users: ScimUser[], departmentOf: Department[]): ScimGroup[] {
  const groups: ScimGroup[] = [];
  // One member reference per user, shared by every group it belongs to (never mutated:
  // writes build new objects), which keeps a 100k directory's object count down.
  const refs = new Map<ScimUser, MemberRef>();
  const member = (user: ScimUser): MemberRef => {
    let ref = refs.get(user);
    if (!ref) {
      ref = Object.freeze({
        value: user.id,
        display: user.displayName ?? user.userName,
        type: 'User' as const,
      });
      refs.set(user, ref);
    }
    return ref;
  };
  const add = (displayName: string, members: MemberRef[], externalId?: string): ScimGroup => {
    const id = rng.uuid();
    const { created, lastModified } = timestamps(rng);
    const group: ScimGroup = {
      schemas: [GROUP_SCHEMA],
      id,
      ...(externalId ? { externalId } : {}),
      displayName,
      members,
      meta: {
        resourceType: 'Group',
        created,
        lastModified,
        version: weakEtag(`${id}|${lastModified}|0`),
      },
    };
    groups.push(group);
    return group;
  };

  for (const dept of DEPARTMENTS) {
    const inDept = users.filter((_, i) => departmentOf[i] === dept);
    add(dept.name, inDept.map(member), `dept-${dept.code.toLowerCase()}`);
    dept.teams.forEach((team, teamIndex) => {
      const members = inDept.filter((u) => {
        const cc = u[ENTERPRISE_SCHEMA]?.costCenter ?? '';
        return cc.endsWith(String(4100 + teamIndex * 10)) && u.active !== false;
      });
      add(`${dept.name} - ${team}`, members.map(member));
    });
  }
  add('All Managers', users.filter((u) => u.title?.endsWith(' Manager')).map(member));
  add('Contractors', users.filter((u) => u.userType === 'Contractor').map(member));
  add('Interns', users.filter((u) => u.userType === 'Intern').map(member));
  add('VPN Users', users.filter((u) => u.active !== false && rng.chance(0.3)).map(member));
  add(
    'On-Call Rotation',
    users.filter((u, i) => departmentOf[i]?.name === 'Engineering' && rng.chance(0.1)).map(member),
  );
  for (const account of SIGN_IN_ACCOUNTS) {
    add(
      account.group,
      users.filter((u) => u.id === account.id).map(member),
      `scim-console-${account.role}`,
    );
  }
  for (const name of EMPTY_GROUPS) add(name, []);
  return groups;
}
