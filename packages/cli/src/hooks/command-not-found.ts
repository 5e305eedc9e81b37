import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Hook } from '@oclif/core';

/**
 * `sempair nosuch`: one line and exit code 2, like every other usage error. A command whose
 * file exists but did not load (oclif warns above) is a broken build, not a typo.
 */
const hook: Hook<'command_not_found'> = async function (options) {
  const id = options.id.replace(/:/g, ' ');
  const file = fileURLToPath(new URL(`../commands/${options.id.replace(/:/g, '/')}.js`, import.meta.url));
  if (existsSync(file)) {
    process.stderr.write(`Error: command '${id}' failed to load (see the warning above) — rebuild sempair (pnpm build), or re-run with DEBUG=* for details\n`);
    process.exit(1);
  }
  process.stderr.write(`Error: unknown command '${id}' — see 'sempair --help' for the commands\n`);
  process.exit(2);
};

export default hook;
