/**
 * The JSON Schema of the space file (schemas/space.schema.json, shared with YAML tooling in the
 * editor) and its ajv validator, compiled once on first use.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import schemaJson from '../../../schemas/space.schema.json';

/** The schema document itself (draft-07). */
export const SPACE_SCHEMA: Readonly<Record<string, unknown>> = schemaJson;

let validator: ValidateFunction | undefined;

function compile(): ValidateFunction {
  // allErrors: every problem at once; verbose: errors carry the data and the schema they failed.
  // Unoptimized code compiles a third faster (compiling is most of a CLI run's time), and
  // validating a page of YAML stays well under 1 ms either way.
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, code: { optimize: false } });
  ajv.addVocabulary(['markdownDescription']); // VS Code's hover text; an annotation to ajv
  return ajv.compile(SPACE_SCHEMA);
}

/** Ajv's raw errors for a parsed space file (empty when it matches the schema). */
export function schemaErrors(value: unknown): ErrorObject[] {
  validator ??= compile();
  return validator(value) ? [] : [...(validator.errors ?? [])];
}
