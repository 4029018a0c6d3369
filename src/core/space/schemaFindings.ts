/**
 * Ajv's schema errors in human words, one finding per problem and place: unknown keys with a
 * "did you mean", types and enums naming what is allowed, and the noise of `anyOf` (one error
 * per alternative) collapsed into the one message that helps.
 */
import type { ErrorObject } from 'ajv';
import { error, withFix, type Finding } from './finding';
import { closest } from './suggest';
import { describeValue, dotted, literal, oneOf } from './wording';
import { fromPointer, type Path, type Segment } from './yamlPositions';
import { count } from '../presentation/counts';

type SchemaNode = Record<string, unknown>;

/** ajv's instancePath as typed segments: list indices become numbers (walking the value). */
function typedPath(root: unknown, pointer: string): Segment[] {
  const path: Segment[] = [];
  let node: unknown = root;
  for (const raw of fromPointer(pointer)) {
    if (Array.isArray(node)) {
      const index = Number(raw);
      path.push(index);
      node = node[index];
    } else {
      path.push(raw);
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[raw] : undefined;
    }
  }
  return path;
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a map',
  array: 'a list',
  null: 'empty',
};

function typeWords(type: unknown): string {
  const types = Array.isArray(type) ? type : [type];
  return oneOf(types.map((t) => TYPE_WORDS[String(t)] ?? String(t)));
}

/** "in spaces.X" / "at the top level". */
function inPlace(path: Path): string {
  return path.length === 0 ? 'at the top level' : `in ${dotted(path)}`;
}

/** One anyOf that matched no alternative: keep the errors of the alternative the value was meant for. */
function collapseAnyOf(anyOf: ErrorObject, errors: ErrorObject[]): { kept: ErrorObject[]; typeMismatch?: string[] } {
  const prefix = anyOf.schemaPath + '/';
  const branches = (Array.isArray(anyOf.schema) ? anyOf.schema : []) as SchemaNode[];
  const byBranch = new Map<number, ErrorObject[]>();
  for (const e of errors) {
    const index = Number(e.schemaPath.slice(prefix.length).split('/')[0]);
    byBranch.set(index, [...(byBranch.get(index) ?? []), e]);
  }
  // An alternative whose own type does not fit the value was not what the user meant.
  const viable = branches
    .map((_, i) => i)
    .filter((i) => !(byBranch.get(i) ?? []).some((e) => e.keyword === 'type' && e.instancePath === anyOf.instancePath));
  if (viable.length === 0) {
    return { kept: [], typeMismatch: branches.map((b, i) => (typeof b.title === 'string' ? b.title : `alternative ${i + 1}`)) };
  }
  // Among the fitting ones, the one with the fewest problems is the likeliest intent.
  let best = viable[0];
  for (const i of viable) if ((byBranch.get(i) ?? []).length < (byBranch.get(best) ?? []).length) best = i;
  return { kept: byBranch.get(best) ?? [] };
}

function translate(e: ErrorObject, root: unknown): Finding {
  const path = typedPath(root, e.instancePath);
  const where = dotted(path);
  const got = describeValue(e.data);
  const parent = (e.parentSchema ?? {}) as SchemaNode;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((parent.properties ?? {}) as SchemaNode);
      const guess = closest(key, allowed);
      const hint = guess ? `did you mean '${guess}'?` : `allowed keys: ${allowed.join(', ')}`;
      const found = error('unknown-key', `unknown key ${literal(key)} ${inPlace(path)}; ${hint}`, [...path, key], 'key');
      return guess ? withFix(found, guess) : found;
    }
    case 'required': {
      const key = String(params.missingProperty);
      return error('required', `missing required key '${key}' ${inPlace(path)}`, path, 'key');
    }
    case 'type': {
      if (path.length === 0) {
        return error('type', `the top level must be a map of keys (version, spaces, …), got ${got}`, path);
      }
      return error('type', `${where} must be ${typeWords(params.type)}, got ${got}`, path);
    }
    case 'const': {
      if (path.length === 1 && path[0] === 'version') {
        const message =
          typeof e.data === 'number' ? `unsupported version ${e.data}; this tool reads version 1` : `version must be the number 1, got ${got}`;
        return error('version', message, path);
      }
      return error('enum', `${where} must be ${literal(params.allowedValue)}, got ${got}`, path);
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const guess = typeof e.data === 'string' ? closest(e.data, allowed) : undefined;
      const hint = guess ? `; did you mean '${guess}'?` : '';
      const fixed = (f: Finding): Finding => (guess ? withFix(f, guess) : f);
      if (path.length >= 2 && path[path.length - 2] === 'restrictions') {
        return fixed(
          error(
            'unknown-restriction',
            `unknown restriction ${typeof e.data === 'string' ? literal(e.data) : got} in ${dotted(path.slice(0, -1))}${hint}` +
              (guess ? '' : ` (known: ${allowed.join(', ')})`),
            path,
          ),
        );
      }
      return fixed(error('enum', `${where} must be one of ${allowed.join(', ')}, got ${got}${hint}`, path));
    }
    case 'minimum':
      return error('too-small', `${where} must be at least ${params.limit}, got ${got}`, path);
    case 'exclusiveMinimum':
      return error('too-small', `${where} must be greater than ${params.limit}, got ${got}`, path);
    case 'maximum':
      return error('too-large', `${where} must be at most ${params.limit}, got ${got}`, path);
    case 'exclusiveMaximum':
      return error('too-large', `${where} must be less than ${params.limit}, got ${got}`, path);
    case 'multipleOf': {
      const found = error('not-multiple', `${where} must be a multiple of ${params.multipleOf}, got ${got}`, path);
      const q = Number(params.multipleOf);
      if (typeof e.data !== 'number' || !(q > 0)) return found;
      const nearest = Math.max(q, Math.round(e.data / q) * q);
      return withFix(found, String(nearest), `Change to ${nearest}, the nearest multiple of ${q}`);
    }
    case 'minItems':
    case 'maxItems': {
      if (typeof parent.title === 'string') return error('length', `${where} must be ${parent.title}, got ${got}`, path);
      const n = Number(params.limit);
      const bound = e.keyword === 'minItems' ? 'at least' : 'at most';
      return error('length', `${where} must have ${bound} ${count(n, 'entry', 'entries')}, got ${got}`, path);
    }
    case 'pattern':
      // A pattern says nothing to a reader: its schema's title says what the value must be.
      if (typeof parent.title === 'string') return error('pattern', `${where} must be ${parent.title}, got ${got}`, path);
      return error('pattern', `${where} ${e.message ?? 'is not valid'}`, path);
    case 'minLength':
      return error('length', `${where} must not be empty`, path);
    case 'maxLength':
      return error('length', `${where} must be at most ${params.limit} characters long`, path);
    case 'minProperties':
      if (path.length === 1 && path[0] === 'spaces') return error('length', 'spaces must define at least one space', path, 'key');
      return error('length', `${where} must have at least ${params.limit} keys`, path, 'key');
    case 'maxProperties':
      return error('length', `${where} may have at most ${params.limit} entries, got ${Object.keys(e.data as object).length}`, path, 'key');
    case 'propertyNames': {
      const name = String(params.propertyName);
      if (path.length === 1 && path[0] === 'spaces') {
        return error(
          'space-name',
          `space name ${literal(name)} must start with a letter or '_' and use only letters, digits, '_', '-' and '.' (at most 64 characters)`,
          [...path, name],
          'key',
        );
      }
      return error('key-name', `key ${literal(name)} ${inPlace(path)} is not allowed`, [...path, name], 'key');
    }
    default:
      return error('schema', `${where} ${e.message ?? 'is not valid'}`, path);
  }
}

/**
 * Findings for ajv's errors on `root`. Errors at `skip` pointers (values already reported,
 * such as non-finite numbers) are dropped.
 */
export function schemaFindings(root: unknown, errors: readonly ErrorObject[], skip: ReadonlySet<string> = new Set()): Finding[] {
  // Errors inside propertyNames repeat the propertyNames error itself.
  let rest = errors.filter((e) => (e as { propertyName?: string }).propertyName === undefined);
  const findings: Finding[] = [];
  const alternatives = rest.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  // Innermost first, so that an outer anyOf sees its inner ones already collapsed.
  const depth = (e: ErrorObject) => e.instancePath.split('/').length;
  alternatives.sort((a, b) => depth(b) - depth(a) || b.schemaPath.length - a.schemaPath.length);
  for (const anyOf of alternatives) {
    // An alternative's errors: under its schema path (shared by every use of a definition) and at or below its value.
    const prefix = anyOf.schemaPath + '/';
    const at = anyOf.instancePath;
    const inside = rest.filter(
      (e) => e !== anyOf && e.schemaPath.startsWith(prefix) && (e.instancePath === at || e.instancePath.startsWith(at + '/')),
    );
    const { kept, typeMismatch } = collapseAnyOf(anyOf, inside);
    rest = rest.filter((e) => e !== anyOf && !inside.includes(e)).concat(kept);
    if (typeMismatch && !skip.has(anyOf.instancePath)) {
      const path = typedPath(root, anyOf.instancePath);
      findings.push(error('type', `${dotted(path)} must be ${oneOf(typeMismatch)}, got ${describeValue(anyOf.data)}`, path));
    }
  }
  for (const e of rest) {
    if (skip.has(e.instancePath)) continue;
    findings.push(translate(e, root));
  }
  return findings;
}
