import { Flags, type Interfaces } from '@oclif/core';
import type { OptionSchema, OptionValues } from '@sempair/core';
import { showValue } from '../tables.js';

/** temperatureSchedule → temperature-schedule */
export function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

type SchemaFlag = Interfaces.OptionFlag<string | undefined> | Interfaces.BooleanFlag<boolean>;

/**
 * One flag per option of an evaluator's schema (`batchSize` → `--batch-size`), so `--help` shows
 * each option with its type and default. Values stay strings here: resolveOptions coerces and
 * checks them, with the same messages as options given in a config file.
 */
export function schemaFlags(schema: OptionSchema, reserved: ReadonlySet<string>, helpGroup: string): Record<string, SchemaFlag> {
  const flags: Record<string, SchemaFlag> = {};
  for (const [key, spec] of Object.entries(schema)) {
    const name = kebab(key);
    if (reserved.has(name)) continue;
    const shownDefault = spec.default === undefined || spec.default === '' ? '' : ` [default: ${showValue(spec.default)}]`;
    const description = `${spec.description}${shownDefault}`;
    const helpValue = spec.choices
      ? spec.choices.join('|')
      : /Options$/.test(key)
        ? 'key=value,…'
        : spec.type === 'number[]'
          ? 'n,n,…'
          : spec.type;
    flags[name] =
      spec.type === 'boolean'
        ? Flags.boolean<boolean>({ description, allowNo: true, helpGroup })
        : Flags.string({ description, helpValue, helpGroup });
  }
  return flags;
}

/** The schema options given as flags, under their schema names. */
export function optionsFromFlags(schema: OptionSchema, flags: Record<string, unknown>): OptionValues {
  const out: OptionValues = {};
  for (const key of Object.keys(schema)) {
    const value = flags[kebab(key)];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
