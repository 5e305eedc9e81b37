// What the package says when its addon is not there, and that a failed build never fails the
// installation. These run everywhere: none needs the addon.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { loadAddonFrom, rebuildCommand } from '../src/addon.js';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));

/** A copy of the package's build inputs (no build/), in a temporary directory. */
function packageCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sempair-native-test-'));
  for (const part of ['native', 'scripts', 'binding.gyp', 'package.json']) cpSync(join(PACKAGE, part), join(dir, part), { recursive: true });
  return dir;
}

test('an addon that was never built says so, with the rebuild command', (t) => {
  const dir = packageCopy();
  try {
    const { addon, status } = loadAddonFrom(dir);
    t.is(addon, undefined);
    t.false(status.available);
    t.regex(status.detail, /never built \(its install script did not run/);
    t.is(status.fix, rebuildCommand(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a failed build's status.json is what is reported: what was missing and the command that fixes it", (t) => {
  const dir = packageCopy();
  try {
    mkdirSync(join(dir, 'build'));
    const fix = `sudo apt-get install -y build-essential python3 libdnnl-dev, then ${rebuildCommand(dir)}`;
    writeFileSync(join(dir, 'build', 'status.json'), JSON.stringify({ built: false, missing: 'onednn', detail: "oneDNN's headers are not installed", fix }));
    const { status } = loadAddonFrom(dir);
    t.deepEqual(status, { available: false, detail: "the native addon was not built: oneDNN's headers are not installed", fix });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the install script never fails the installation: no compiler is recorded, exit 0 (1 only with SEMPAIR_NATIVE_REQUIRED=1)', (t) => {
  const dir = packageCopy();
  try {
    const script = join(dir, 'scripts', 'build-addon.mjs');
    const env = { ...process.env, CXX: join(dir, 'no-such-compiler') };
    delete env.SEMPAIR_NATIVE_REQUIRED;
    const run = spawnSync(process.execPath, [script], { encoding: 'utf8', env });
    t.is(run.status, 0, run.stderr);
    t.regex(run.stderr, /@sempair\/backend-native: not built: no C\+\+ compiler .*Fix: sudo apt-get install -y build-essential python3 libdnnl-dev, then node .*build-addon\.mjs\. Until then sempair uses its other backends\./);
    const status = JSON.parse(readFileSync(join(dir, 'build', 'status.json'), 'utf8')) as { built: boolean; missing: string; fix: string };
    t.false(status.built);
    t.is(status.missing, 'compiler');
    t.is(loadAddonFrom(dir).status.detail, `the native addon was not built: no C++ compiler (${env.CXX})`);

    const strict = spawnSync(process.execPath, [script], { encoding: 'utf8', env: { ...env, SEMPAIR_NATIVE_REQUIRED: '1' } });
    t.is(strict.status, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
