// Command-line flags of `pnpm bench <name> [--flag value] [--json]`, no dependencies.

/** Parses argv into { name, flags }; `--x` alone is boolean true, `--x v` / `--x=v` a string. */
export function parseArgs(argv) {
  const flags = {};
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq > 0) flags[arg.slice(2, eq)] = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags[arg.slice(2)] = argv[++i];
    else flags[arg.slice(2)] = true;
  }
  return { name: positional[0], flags };
}

/** A positive integer flag, or the default; a bad value ends the run with one clear line. */
export function intFlag(flags, key, fallback) {
  if (flags[key] === undefined) return fallback;
  const n = Number(flags[key]);
  if (!Number.isInteger(n) || n < 0) throw new BenchError(`--${key} must be a non-negative integer, got '${flags[key]}'`);
  return n;
}

export class BenchError extends Error {}
