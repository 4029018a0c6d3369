import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ACTIVATIONS, BLOCK_TYPES, STEM_TYPES } from '../../src/core/model';
import { parseSpaceText, RESTRICTIONS, SPACE_SCHEMA } from '../../src/core/space';
import { DATASET_NAMES } from '../../src/core/space/datasets';

const ROOT = path.join(__dirname, '..', '..', '..');
type Schema = Record<string, unknown>;
const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', 'space.schema.json'), 'utf8')) as Schema;
const definitions = schema.definitions as Record<string, Schema>;

/** Follows a local $ref. */
function deref(s: Schema): Schema {
  const ref = s.$ref;
  if (typeof ref !== 'string') return s;
  assert.match(ref, /^#\/definitions\/\w+$/);
  return definitions[ref.split('/').pop()!];
}

/** Every subschema with its JSON-pointer-like location. */
function* subschemas(s: unknown, at: string): Generator<[string, Schema]> {
  if (!s || typeof s !== 'object') return;
  if (Array.isArray(s)) {
    for (let i = 0; i < s.length; i++) yield* subschemas(s[i], `${at}/${i}`);
    return;
  }
  const node = s as Schema;
  yield [at, node];
  for (const key of ['properties', 'definitions']) {
    const children = node[key] as Record<string, unknown> | undefined;
    for (const [name, child] of Object.entries(children ?? {})) yield* subschemas(child, `${at}/${key}/${name}`);
  }
  for (const key of ['items', 'additionalProperties', 'propertyNames', 'anyOf']) {
    if (node[key] && typeof node[key] === 'object') yield* subschemas(node[key], `${at}/${key}`);
  }
}

const DRAFT7_KEYWORDS = new Set([
  '$schema', '$id', '$ref', 'title', 'description', 'default', 'examples', 'type', 'enum', 'const', 'properties',
  'additionalProperties', 'required', 'propertyNames', 'minProperties', 'maxProperties', 'items', 'minItems', 'maxItems',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength', 'pattern',
  'anyOf', 'definitions',
]);

describe('schemas/space.schema.json', () => {
  test('is plain draft-07 with an $id (what the Red Hat YAML extension reads)', () => {
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.match(String(schema.$id), /^https:\/\/.+\.json$/);
    assert.deepEqual(SPACE_SCHEMA, schema);
  });

  test('uses only draft-07 keywords, plus VS Code\'s markdownDescription', () => {
    for (const [at, node] of subschemas(schema, '#')) {
      for (const key of Object.keys(node)) {
        if (at.endsWith('/properties') || at.endsWith('/definitions')) continue;
        assert.ok(DRAFT7_KEYWORDS.has(key) || key === 'markdownDescription', `${at}: unexpected keyword ${key}`);
      }
    }
  });

  test('every property has a description (its hover text)', () => {
    let count = 0;
    for (const [at, node] of subschemas(schema, '#')) {
      for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, Schema>)) {
        const description = child.description ?? deref(child).description;
        assert.ok(typeof description === 'string' && description.length > 10, `${at}/properties/${name} has no description`);
        count++;
      }
    }
    assert.ok(count > 60, `only ${count} properties`);
  });

  test('enums agree with the code', () => {
    const model = definitions.model.properties as Record<string, Schema>;
    assert.deepEqual((model.stem.properties as Record<string, Schema>).type.enum, STEM_TYPES);
    assert.deepEqual((model.block.anyOf as Schema[])[0].enum, BLOCK_TYPES);
    assert.deepEqual((model.activation.anyOf as Schema[])[0].enum, ACTIVATIONS);
    const space = definitions.space.properties as Record<string, Schema>;
    assert.deepEqual((space.restrictions.items as Schema).enum, RESTRICTIONS);
    const dataset = (schema.properties as Record<string, Schema>).dataset.properties as Record<string, Schema>;
    assert.deepEqual(dataset.name.enum, DATASET_NAMES);
  });

  test('every stated default is the default the resolver applies', () => {
    const result = parseSpaceText('version: 1\nspaces:\n  A: { type: anynet, depth: 1, width: 8, bottleneck: 1, groupWidth: 1 }\n');
    const file = result.resolved as unknown as Record<string, unknown>;
    assert.ok(file);
    const model = (file.spaces as Record<string, unknown>[])[0].model as Record<string, unknown>;
    const top = schema.properties as Record<string, Schema>;
    let checked = 0;
    const compare = (s: Schema, value: unknown, at: string) => {
      for (const [name, child] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) {
        const c = deref(child);
        const actual = (value as Record<string, unknown>)[name];
        if ('default' in c) {
          assert.deepEqual(actual, c.default, `${at}.${name}`);
          checked++;
        } else if (c.properties) {
          compare(c, actual, `${at}.${name}`);
        }
      }
    };
    for (const section of ['training', 'sampling', 'analysis']) compare(top[section], file[section], section);
    // dataset: channels/resolution/classes are synthetic's own and end up in the model.
    const datasetSchema = { properties: { ...(top.dataset.properties as Record<string, Schema>) } };
    for (const key of ['channels', 'resolution', 'classes']) delete datasetSchema.properties[key];
    compare(datasetSchema, file.dataset, 'dataset');
    compare(definitions.model, model, 'model');
    assert.ok(checked >= 25, `only ${checked} defaults checked`);
    const synthetic = parseSpaceText('version: 1\ndataset: { name: synthetic }\nspaces:\n  A: { type: anynet, depth: 1, width: 8, bottleneck: 1, groupWidth: 1 }\n');
    const m = synthetic.resolved!.spaces[0].model;
    const d = top.dataset.properties as Record<string, Schema>;
    assert.deepEqual([m.channels, m.resolution, m.classes], [d.channels.default, d.resolution.default, d.classes.default]);
  });

  test('states its limits (numbers too large for their field)', () => {
    const space = definitions.space.properties as Record<string, Schema>;
    const branchMax = (param: string) => ((definitions[param].anyOf as Schema[])[1].maximum);
    assert.equal(branchMax('depth'), 128);
    assert.equal(branchMax('width'), 8192);
    assert.equal(branchMax('w0'), 8192);
    assert.equal(space.samples.maximum, 100000);
    const model = definitions.model.properties as Record<string, Schema>;
    assert.equal((model.resolution.anyOf as Schema[])[0].maximum, 1024);
  });
});
