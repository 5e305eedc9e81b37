// Installed package versions and locations, read from disk without importing the package
// (importing a native tfjs package has side effects, and may throw).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const require = createRequire(import.meta.url);

/** The directory holding `pkg`'s package.json, or undefined when it is not installed. */
export function packageDir(pkg: string): string | undefined {
  try {
    return dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    return undefined;
  }
}

/** The installed version of `pkg`, or undefined when it is not installed. */
export function packageVersion(pkg: string): string | undefined {
  const dir = packageDir(pkg);
  if (dir === undefined) return undefined;
  try {
    const json = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as { version?: unknown };
    return typeof json.version === 'string' ? json.version : undefined;
  } catch {
    return undefined;
  }
}
