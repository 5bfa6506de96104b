import { MlError } from '../errors.js';
import { NegativeTimeValueError, parseTimeValue } from '../timeValue.js';
import { CLUSTER_PRIVILEGES, isClusterPrivilege } from './privileges.js';
import type { RoleDescriptors } from './types.js';

/**
 * Reading the bodies and parameters of the API key APIs into plain values,
 * with the original's errors: 400 for anything a caller got wrong.
 */

export interface CreateKeyRequest {
  name: string;
  /** Milliseconds from creation, already cut to whole seconds. */
  expiresInMs: number | null;
  /** Union of the descriptors' `cluster` lists; null: none were given. */
  privileges: string[] | null;
  /** The descriptors as given; null when none were. */
  roleDescriptors: RoleDescriptors | null;
}

export interface InvalidateKeysRequest {
  ids: string[] | null;
  name: string | null;
}

const CREATE_FIELDS = ['name', 'expiration', 'role_descriptors'];
/** Fields of the original that have no meaning without users or indices. */
const UNSUPPORTED_CREATE_FIELDS = ['metadata'];
const DESCRIPTOR_FIELDS = ['cluster'];

export function readCreateKeyRequest(body: unknown): CreateKeyRequest {
  const fields = requireObject(body);
  rejectUnknownFields(fields, 'create_api_key_request', CREATE_FIELDS,
    UNSUPPORTED_CREATE_FIELDS);

  const name = fields.name;
  if (name !== undefined && name !== null && typeof name !== 'string') {
    throw parseError('[create_api_key_request] failed to parse field [name]');
  }
  const problems = nameProblems(name ?? '');
  if (problems.length > 0) throw validationFailed(problems);

  const roleDescriptors = readRoleDescriptors(fields.role_descriptors);
  return {
    name: name as string,
    expiresInMs: readExpiration(fields.expiration),
    privileges: roleDescriptors === null ? null : unionOf(roleDescriptors),
    roleDescriptors,
  };
}

/** C0, DEL and C1, NUL included: they hide in logs and listings. */
const CONTROL_CHARACTER = /\p{Cc}/u;
/** Half of a surrogate pair alone, which no UTF-8 store can hold. */
const LONE_SURROGATE = /\p{Cs}/u;

function nameProblems(name: string): string[] {
  if (name === '') return ['api key name is required'];

  const problems: string[] = [];
  if (name.length > 256) {
    problems.push('api key name may not be more than 256 characters long');
  }
  if (name !== name.trim()) {
    problems.push('api key name may not begin or end with whitespace');
  }
  if (name.startsWith('_')) {
    problems.push('api key name may not begin with an underscore');
  }
  if (CONTROL_CHARACTER.test(name)) {
    problems.push('api key name may not contain control characters');
  }
  if (LONE_SURROGATE.test(name)) {
    problems.push('api key name may not contain unpaired surrogates');
  }
  // GET and DELETE by name read `*` as a wildcard, so a name with one
  // could not be asked for alone.
  if (name.includes('*')) {
    problems.push('api key name may not contain [*]');
  }
  return problems;
}

/**
 * The longest life a key may be given: 1,000,000 days (about 2,700
 * years), so that its expiry stays an exact number and a valid date.
 * A key that should never expire is made without an expiration.
 */
const MAX_EXPIRATION_DAYS = 1_000_000;
const DAY_MS = 86_400_000;

/**
 * An Elasticsearch time value such as `1d` or `90m`. The original adds
 * whole seconds of it to the creation time, so `1500ms` lasts 1 s; less
 * than a second would make a key that is expired when it is made.
 */
export function readExpiration(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  // Not String(value): an array nested deep enough overflows the stack.
  if (typeof value !== 'string') {
    throw unitMissing(typeof value === 'object' ? kindOfJson(value)
      : String(value));
  }

  const ms = parseExpirationMs(value);
  if (ms < 0) {
    throw badExpiration(value, 'negative durations are not supported');
  }
  const wholeSeconds = Math.floor(ms / 1000) * 1000;
  if (wholeSeconds === 0) {
    throw badExpiration(value, 'an API key must last at least [1s]');
  }
  if (wholeSeconds > MAX_EXPIRATION_DAYS * DAY_MS) {
    throw badExpiration(value, 'an API key may last at most '
      + `[${MAX_EXPIRATION_DAYS}d]; leave expiration out for a key that `
      + 'never expires');
  }
  return wholeSeconds;
}

const kindOfJson = (value: object): string =>
  (Array.isArray(value) ? '[...]' : '{...}');

function unitMissing(text: string): MlError {
  return parseError(`failed to parse setting [expiration] with value `
    + `[${text}] as a time value: unit is missing or unrecognized`);
}

/** The original's wording for a time value it parsed but refuses. */
/** A negative expiration keeps the type it has always had here. */
function parseExpirationMs(value: string): number {
  try {
    return parseTimeValue('expiration', value);
  } catch (error) {
    if (error instanceof NegativeTimeValueError) {
      throw badExpiration(value, 'negative durations are not supported');
    }
    throw error;
  }
}

function badExpiration(text: string, why: string): MlError {
  return new MlError(400, 'illegal_argument_exception',
    `failed to parse setting [expiration] with value [${text}] as a time `
    + `value: ${why}`);
}

/**
 * A key's descriptors are stored in its item, which DynamoDB limits to
 * 400 KB: 100 roles of the longest names fit with room to spare.
 */
const MAX_ROLE_DESCRIPTORS = 100;
/** The original's limit on role names. */
const MAX_ROLE_NAME_CHARS = 507;

function readRoleDescriptors(value: unknown): RoleDescriptors | null {
  if (value === undefined || value === null) return null;
  const descriptors = requireObject(value, 'role_descriptors');
  // No descriptors at all means the key takes its creator's privileges,
  // as in the original.
  const roles = Object.keys(descriptors);
  if (roles.length === 0) return null;
  if (roles.length > MAX_ROLE_DESCRIPTORS) {
    throw new MlError(400, 'illegal_argument_exception',
      `an API key may have at most ${MAX_ROLE_DESCRIPTORS} role `
      + `descriptors, got ${roles.length}`);
  }
  const problems = roles.flatMap(roleNameProblems);
  if (problems.length > 0) throw validationFailed(problems);

  // Built from entries: assigning a role named `__proto__` would set the
  // object's prototype instead of adding the role.
  return Object.fromEntries(Object.entries(descriptors).map(
    ([role, descriptor]) => {
      const fields = requireObject(descriptor, `role_descriptors.${role}`);
      rejectUnknownFields(fields, `role [${role}]`, DESCRIPTOR_FIELDS,
        ['indices', 'applications', 'run_as', 'metadata', 'remote_indices']);
      return [role, { cluster: readClusterList(fields.cluster, role) }];
    }));
}

/** Every privilege of the descriptors once, in the order of the list. */
function unionOf(descriptors: RoleDescriptors): string[] {
  const granted = new Set(
    Object.values(descriptors).flatMap((descriptor) => descriptor.cluster));
  return CLUSTER_PRIVILEGES.filter((name) => granted.has(name));
}

function readClusterList(value: unknown, role: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw parseError(`failed to parse role [${role}]. `
      + 'field [cluster] must be an array of strings');
  }

  for (const privilege of value) {
    if (isClusterPrivilege(privilege)) continue;
    throw new MlError(400, 'illegal_argument_exception',
      `unknown cluster privilege [${privilege}]. a privilege must be one `
      + 'of the predefined cluster privilege names '
      + `[${CLUSTER_PRIVILEGES.join(',')}]`);
  }
  // Once each: a list that repeats a name grants nothing more.
  return [...new Set(value)];
}

/**
 * Role names as the original has them: 1 to 507 printable ASCII
 * characters (space included), no whitespace at either end. Only the
 * role names that break the rule are named, cut short.
 */
function roleNameProblems(role: string): string[] {
  const shown = role.length > 40 ? `${role.slice(0, 40)}...` : role;
  if (role.length === 0 || role.length > MAX_ROLE_NAME_CHARS) {
    return [`role name [${shown}] must be at least 1 and no more than `
      + `${MAX_ROLE_NAME_CHARS} characters long`];
  }
  if (!/^[\x20-\x7e]+$/.test(role) || role !== role.trim()) {
    return ['role names may hold printable ASCII characters only, and no '
      + `whitespace at either end: [${JSON.stringify(shown).slice(1, -1)}]`];
  }
  return [];
}

export function readInvalidateKeysRequest(
  body: unknown,
): InvalidateKeysRequest {
  const fields = requireObject(body);
  rejectUnknownFields(fields, 'invalidate_api_key_request',
    ['ids', 'id', 'name'], ['owner', 'username', 'realm_name']);

  const ids = readIds(fields);
  const name = optionalString(fields.name, 'name');
  if (ids === null && name === null) {
    throw validationFailed(['One of [api key id(s), api key name, '
      + 'username, realm name] must be specified if [owner] flag is false']);
  }
  if (ids !== null && name !== null) {
    throw validationFailed(
      ['only one of [api key id(s), api key name] can be specified']);
  }
  return { ids, name };
}

function readIds(fields: Record<string, unknown>): string[] | null {
  const id = optionalString(fields.id, 'id');
  const ids = fields.ids;
  if (id !== null && ids !== undefined && ids !== null) {
    throw validationFailed(
      ['Must use either [id] or [ids], not both at the same time']);
  }
  if (id !== null) return [id];
  if (ids === undefined || ids === null) return null;

  if (!Array.isArray(ids) || !ids.every((v) => typeof v === 'string')) {
    throw parseError(
      '[invalidate_api_key_request] field [ids] must be an array of strings');
  }
  if (ids.length === 0 || ids.some((v) => v.trim() === '')) {
    throw validationFailed(['Field [ids] must not be empty or blank']);
  }
  return ids;
}

/** `id` and `name` of GET: one at most, as in the original. */
export function readGetKeysQuery(
  query: { id?: string | null; name?: string | null },
): { id: string | null; name: string | null } {
  const id = query.id || null;
  const name = query.name || null;
  if (id !== null && name !== null) {
    throw validationFailed(
      ['only one of [api key id, api key name] can be specified']);
  }
  return { id, name };
}

function optionalString(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    throw parseError(`field [${field}] must be a string`);
  }
  return value === '' ? null : value;
}

function requireObject(
  value: unknown, field?: string,
): Record<string, unknown> {
  if (field === undefined && (value === undefined || value === null)) {
    throw parseError('request body is required');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw parseError(field === undefined
      ? 'request body must be a JSON object'
      : `field [${field}] must be an object`);
  }
  return value as Record<string, unknown>;
}

function rejectUnknownFields(
  fields: Record<string, unknown>, where: string,
  known: readonly string[], unsupported: readonly string[],
): void {
  for (const field of Object.keys(fields)) {
    if (known.includes(field)) continue;
    if (unsupported.includes(field)) {
      throw new MlError(400, 'illegal_argument_exception',
        `[${where}] field [${field}] is not supported by this service`);
    }
    throw new MlError(400, 'x_content_parse_exception',
      `[${where}] unknown field [${field}]`);
  }
}

function parseError(reason: string): MlError {
  return new MlError(400, 'parse_exception', reason);
}

/** The original's request validation: numbered problems, each with `;`. */
function validationFailed(problems: string[]): MlError {
  const listed = problems.map((problem, i) => `${i + 1}: ${problem};`);
  return new MlError(400, 'action_request_validation_exception',
    `Validation Failed: ${listed.join('')}`);
}
