import { Flags } from '@oclif/core';
import { BACKEND_PREFERENCES, parseOptionString, type OptionValues } from '@sempair/core';

/** Backend preferences `initBackend` understands. */
export const BACKENDS = BACKEND_PREFERENCES;

/** A flag holding a finite number (oclif only has integers built in). */
export const numberFlag = Flags.custom<number>({
  parse: async (input) => {
    const value = Number(input);
    if (input.trim() === '' || !Number.isFinite(value)) throw new Error(`Expected a number but received: ${input}`);
    return value;
  },
});

/**
 * A `key=value,key=value` flag that may be repeated (`--method-options temperature=0.5
 * --method-options projDim=64`); later keys win. Non-greedy, so positional arguments after it
 * are never swallowed.
 */
export function optionsFlag(description: string, helpGroup?: string) {
  return Flags.string({ description, multiple: true, multipleNonGreedy: true, helpValue: 'key=value,…', helpGroup });
}

/** Merges the values of a repeated options flag into one object (raw strings; schemas coerce them). */
export function parseOptionFlags(values: string[] | undefined, flag: string): OptionValues | undefined {
  if (!values?.length) return undefined;
  const out: OptionValues = {};
  for (const text of values) Object.assign(out, parseOptionString(text, `--${flag}`));
  return out;
}

export const backendFlag = Flags.option({
  options: BACKENDS,
  description: 'Compute backend: auto tries tensorflow-gpu, webgpu on a hardware GPU, tensorflow, wasm, then cpu (see sempair doctor).',
})();

export const runsDirFlag = Flags.string({ description: 'Directory that holds run directories [default: ./runs].', helpValue: 'dir' });

export const configFlag = Flags.string({
  char: 'c',
  description: 'Config file to use instead of searching for sempair.config.*, .sempairrc* or package.json#sempair.',
  helpValue: 'file',
});
