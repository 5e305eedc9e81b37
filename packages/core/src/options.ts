import { UserError } from './errors.js';

/**
 * A declared option of a method, dataset, pair source, backbone or evaluator.
 * Schemas are shown by `sempair methods <id>` and validate every value before a run starts.
 */
export interface OptionSpec {
  type: 'number' | 'integer' | 'boolean' | 'string' | 'number[]';
  default?: unknown;
  description: string;
  choices?: readonly string[];
  min?: number;
  max?: number;
}

export type OptionSchema = Record<string, OptionSpec>;
export type OptionValues = Record<string, unknown>;

function coerce(key: string, spec: OptionSpec, value: unknown, where: string): unknown {
  const bad = (expected: string): never => {
    throw new UserError(
      `${where}: option '${key}' must be ${expected}, got ${JSON.stringify(value)}`,
      `pass a valid value, e.g. ${key}=${JSON.stringify(spec.default ?? (spec.choices?.[0] ?? '…'))}`,
    );
  };
  let out: unknown = value;
  switch (spec.type) {
    case 'number':
    case 'integer': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) bad(spec.type === 'integer' ? 'an integer' : 'a number');
      if (spec.type === 'integer' && !Number.isInteger(n)) bad('an integer');
      if (spec.min !== undefined && (n as number) < spec.min) bad(`>= ${spec.min}`);
      if (spec.max !== undefined && (n as number) > spec.max) bad(`<= ${spec.max}`);
      out = n;
      break;
    }
    case 'boolean':
      if (value === 'true' || value === true) out = true;
      else if (value === 'false' || value === false) out = false;
      else bad('true or false');
      break;
    case 'string':
      if (typeof value !== 'string') bad('a string');
      if (spec.choices && !spec.choices.includes(value as string)) bad(`one of ${spec.choices.join(', ')}`);
      break;
    case 'number[]': {
      const list = typeof value === 'string' ? value.split(',').map((s) => Number(s.trim())) : value;
      if (!Array.isArray(list) || list.some((n) => typeof n !== 'number' || !Number.isFinite(n))) bad('a list of numbers');
      out = list;
      break;
    }
  }
  return out;
}

/**
 * Fill defaults, coerce strings from the command line, and reject unknown keys or bad values
 * with one line naming the option and the fix. `where` names the owner, e.g. "method simclr".
 */
export function resolveOptions(schema: OptionSchema, values: OptionValues | undefined, where: string): OptionValues {
  const out: OptionValues = {};
  for (const [key, value] of Object.entries(values ?? {})) {
    const spec = schema[key];
    if (!spec) {
      const known = Object.keys(schema);
      throw new UserError(
        `${where} has no option '${key}'`,
        known.length ? `use one of: ${known.join(', ')}` : `${where} takes no options`,
      );
    }
    if (value === undefined) continue;
    out[key] = coerce(key, spec, value, where);
  }
  for (const [key, spec] of Object.entries(schema)) {
    if (!(key in out) && spec.default !== undefined) out[key] = spec.default;
  }
  return out;
}

/** Parse `key=value,key2=value2` (the CLI's option strings) into raw values. */
export function parseOptionString(text: string | undefined, where: string): OptionValues {
  const out: OptionValues = {};
  if (!text) return out;
  for (const part of text.split(/[;\s]+|,(?=[A-Za-z_][\w-]*=)/).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UserError(`${where}: cannot read '${part}'`, 'write options as key=value, separated by commas');
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}
