// `sempair doctor` and `--backend native` through the built CLI: the native candidate's place in
// auto's order, and what a user sees when its addon did not build.
import { join } from 'node:path';
import test from 'ava';
import { REPO, sempair } from './helpers/cli.js';

// Makes @sempair/backend-native look unbuilt (its install found no oneDNN) in the CLI process.
const UNBUILT = {
  NODE_OPTIONS: `--import=${join(REPO, 'packages/core/test/fixtures/native-unavailable/register.mjs')}`,
  SEMPAIR_TEST_NATIVE: 'unbuilt',
};

interface Candidate {
  name: string;
  available: boolean;
  detail: string;
  fix?: string;
}

test('doctor lists native after tensorflow and before wasm, and says what it found', async (t) => {
  const result = await sempair(['doctor', '--json']);
  t.is(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as { candidates: Candidate[]; backend: { chosen: string; name: string } };
  const names = report.candidates.map((c) => c.name);
  t.true(names.indexOf('tensorflow') < names.indexOf('native') && names.indexOf('native') < names.indexOf('wasm'), names.join(','));
  const native = report.candidates.find((c) => c.name === 'native')!;
  if (native.available) {
    t.regex(native.detail, /^tfjs cpu \+ native kernels \(oneDNN \d+\.\d+\.\d+ \(\w+\)/);
    t.is(report.backend.chosen === 'native' ? report.backend.name : 'cpu', 'cpu', 'native runs as tfjs cpu');
  } else {
    t.truthy(native.fix, `an unavailable native names its fix: ${native.detail}`);
  }
});

test('with the addon unbuilt, doctor shows native unavailable with the command that fixes it', async (t) => {
  const result = await sempair(['doctor'], { env: UNBUILT });
  t.is(result.code, 0, result.stderr);
  const row = result.stdout.split('\n').findIndex((l) => /│ native /.test(l));
  t.true(row >= 0, result.stdout);
  const block = result.stdout.split('\n').slice(row, row + 4).join('\n');
  t.regex(block, /│ native\s+│ no\s+│.*│ the native addon was not built/);
  const json = await sempair(['doctor', '--json'], { env: UNBUILT });
  const native = (JSON.parse(json.stdout) as { candidates: Candidate[] }).candidates.find((c) => c.name === 'native')!;
  t.false(native.available);
  t.is(native.fix, 'sudo apt-get install -y build-essential python3 libdnnl-dev, then node /opt/sempair/backend-native/scripts/build-addon.mjs');
});

test('with the addon unbuilt, --backend native ends in one line naming what is missing and the fix', async (t) => {
  const result = await sempair(['pretrain', '--backend', 'native', '--epochs', '1', '--runs-dir', join(REPO, 'tmp-never-written')], { env: UNBUILT });
  t.not(result.code, 0);
  const lines = result.stderr.trim().split('\n');
  t.is(lines.length, 1, result.stderr);
  t.regex(lines[0]!, /^Error: backend 'native' is not available: the native addon was not built: oneDNN's headers are not installed/);
  t.regex(lines[0]!, /sudo apt-get install -y build-essential python3 libdnnl-dev, then node \S+build-addon\.mjs/);
});
