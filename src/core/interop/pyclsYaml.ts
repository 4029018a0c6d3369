/**
 * pycls configs as YAML files pycls loads: yacs checks every value against its default's type
 * and PyYAML reads `36` as an int and `1e-10` as a string, so floats are written the way PyYAML
 * reads floats (36.0, 1.0e-10).
 */
import { Document, isSeq, visit, type Scalar } from 'yaml';
import { PYCLS_FLOAT_KEYS, type PyclsCfg } from './pyclsConfig';

/** A number pycls types as a float. */
class PyFloat {
  constructor(readonly value: number) {}
}

/** x as PyYAML reads back a float: a point in the mantissa, a sign in the exponent. */
export function pythonFloatText(x: number): string {
  if (Number.isNaN(x)) return '.nan';
  if (!Number.isFinite(x)) return x > 0 ? '.inf' : '-.inf';
  const [mantissa, exponent] = String(x).split('e');
  const m = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  return exponent === undefined ? m : `${m}e${exponent.startsWith('-') || exponent.startsWith('+') ? exponent : `+${exponent}`}`;
}

const FLOAT_TAG = {
  identify: (v: unknown) => v instanceof PyFloat,
  default: true,
  tag: 'tag:yaml.org,2002:float',
  resolve: (s: string) => Number(s),
  stringify: (item: Scalar) => pythonFloatText((item.value as PyFloat).value),
};

/**
 * The YAML text of a config (or of a sweep config holding configs): numbers at a key pycls
 * types as a float (`isFloat` of its dotted path, list items taking their list's path) are
 * written as floats.
 */
export function pyclsYaml(tree: PyclsCfg, isFloat: (path: string) => boolean = (p) => PYCLS_FLOAT_KEYS.has(p)): string {
  const mark = (value: unknown, path: string): unknown => {
    if (typeof value === 'number') return isFloat(path) ? new PyFloat(value) : value;
    if (Array.isArray(value)) return value.map((v) => mark(v, path));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mark(v, path === '' ? k : `${path}.${k}`)]));
    }
    return value;
  };
  const doc = new Document(mark(tree, ''), { customTags: [FLOAT_TAG] });
  // Lists on one line, as pycls's own configs write them: DEPTHS: [1, 1, 4].
  visit(doc, { Seq: (_key, node) => void (isSeq(node) && (node.flow = true)) });
  return doc.toString({ lineWidth: 0 });
}
