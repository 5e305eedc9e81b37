#!/usr/bin/env node
// Builds the native addon with node-gyp at install time (`install` script), and records what
// happened in build/status.json for `sempair doctor`.
//
// Never fails the installation: when the build is impossible (no C++ compiler, make or python3,
// no Node headers, no oneDNN), sempair runs on its other backends and doctor names what is
// missing and the command that fixes it. SEMPAIR_NATIVE_REQUIRED=1 makes a failed build an
// error instead (CI); SEMPAIR_NATIVE_SKIP=1 skips the build.
//
// Offline, node-gyp cannot download Node's headers: the headers that Node installs beside its
// binary (<prefix>/include/node) are passed as --nodedir when npm/pnpm configure none.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUILD_DIR = join(PACKAGE_DIR, 'build');
const ADDON = join(BUILD_DIR, 'Release', 'sempair_native.node');
const REBUILD = `node ${join(PACKAGE_DIR, 'scripts', 'build-addon.mjs')}`;
const APT = 'sudo apt-get install -y build-essential python3 libdnnl-dev';
const required = process.env.SEMPAIR_NATIVE_REQUIRED === '1';

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, ...options });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}`, error: result.error };
}

function finish(status) {
  mkdirSync(BUILD_DIR, { recursive: true });
  writeFileSync(join(BUILD_DIR, 'status.json'), `${JSON.stringify(status, null, 2)}\n`);
  if (status.built) {
    console.error(`@sempair/backend-native: built (${status.detail})`);
    process.exit(0);
  }
  console.error(`@sempair/backend-native: not built: ${status.detail}. Fix: ${status.fix}. Until then sempair uses its other backends.`);
  process.exit(required ? 1 : 0);
}

function fail(missing, detail, fix = `${APT}, then ${REBUILD}`) {
  finish({ built: false, missing, detail, fix });
}

if (process.env.SEMPAIR_NATIVE_SKIP === '1') fail('skipped', 'SEMPAIR_NATIVE_SKIP=1 was set', `unset SEMPAIR_NATIVE_SKIP, then ${REBUILD}`);

const cxx = process.env.CXX || 'c++';
if (!run(cxx, ['--version']).ok) fail('compiler', `no C++ compiler (${cxx})`);
if (!run('make', ['--version']).ok) fail('make', 'make is not installed');
const python = process.env.PYTHON || 'python3';
if (!run(python, ['--version']).ok) fail('python3', `node-gyp needs ${python}, which is not installed`);

// Node's headers: configured (npm/pnpm's nodedir), or installed beside the node binary.
const prefix = dirname(dirname(process.execPath));
const configuredNodedir = process.env.npm_config_nodedir;
const localHeaders = existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
const nodedir = configuredNodedir || localHeaders;

// oneDNN and OpenMP: compile and link a two-line program the way binding.gyp will.
const dnnlRoot = process.env.DNNL_ROOT;
const probeDir = mkdtempSync(join(tmpdir(), 'sempair-native-'));
try {
  const probe = run(
    cxx,
    [
      '-std=c++17',
      '-fopenmp',
      '-x',
      'c++',
      '-',
      '-o',
      join(probeDir, 'probe'),
      ...(dnnlRoot ? [`-I${dnnlRoot}/include`, `-L${dnnlRoot}/lib`] : []),
      '-ldnnl',
    ],
    { input: '#include <oneapi/dnnl/dnnl.hpp>\n#include <omp.h>\nint main() { return dnnl_version()->major > 0 && omp_get_max_threads() > 0 ? 0 : 1; }\n' },
  );
  if (!probe.ok) {
    if (/dnnl\.hpp|dnnl\.h/.test(probe.output) && /No such file|not found/.test(probe.output)) {
      fail('onednn', `oneDNN's headers are not installed${dnnlRoot ? ` under DNNL_ROOT=${dnnlRoot}` : ''}`);
    }
    if (/-ldnnl|cannot find -ldnnl/.test(probe.output)) fail('onednn', "oneDNN's library (libdnnl.so) is not installed");
    if (/omp\.h|fopenmp/.test(probe.output)) fail('openmp', 'the C++ compiler has no OpenMP support');
    fail('onednn', `a test program using oneDNN does not build: ${probe.output.split('\n').find((l) => /error/.test(l)) ?? probe.output.trim().split('\n')[0]}`);
  }
} finally {
  rmSync(probeDir, { recursive: true, force: true });
}

// node-gyp: the one npm/pnpm run scripts with, else npm's bundled copy, else PATH.
function findNodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) return [process.execPath, process.env.npm_config_node_gyp];
  try {
    return [process.execPath, createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js')];
  } catch {
    /* not a dependency */
  }
  const bundled = join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (existsSync(bundled)) return [process.execPath, bundled];
  if (run('node-gyp', ['--version']).ok) return ['node-gyp'];
  return undefined;
}
const nodeGyp = findNodeGyp();
if (nodeGyp === undefined) fail('node-gyp', 'node-gyp was not found (it comes with npm and pnpm)', `npm install -g node-gyp, then ${REBUILD}`);

const [command, ...prefixArgs] = nodeGyp;
const build = run(command, [...prefixArgs, 'rebuild', ...(nodedir ? [`--nodedir=${nodedir}`] : [])], { cwd: PACKAGE_DIR });
mkdirSync(BUILD_DIR, { recursive: true });
writeFileSync(join(BUILD_DIR, 'build.log'), build.output);
if (!build.ok) {
  if (!nodedir && /(download|getaddrinfo|ENOTFOUND|ECONNREFUSED|EAI_AGAIN|ETIMEDOUT)/i.test(build.output)) {
    fail(
      'node-headers',
      "Node's headers are not installed and could not be downloaded",
      `install Node's headers (a nodejs.org or NodeSource build ships them in <prefix>/include/node) or point npm at them: npm config set nodedir <dir>, then ${REBUILD}`,
    );
  }
  const firstError = build.output.split('\n').find((l) => /error/i.test(l)) ?? 'node-gyp failed';
  fail('build', `node-gyp rebuild failed (${firstError.trim()}); the full log is in ${join(BUILD_DIR, 'build.log')}`, REBUILD);
}

// Load it in a child process: catches a runtime library that the linker found but the loader won't.
const check = run(process.execPath, ['-e', `const a = require(${JSON.stringify(ADDON)}); const i = a.info(); console.log('oneDNN ' + i.onednn + ' (' + i.isa + ')')`]);
if (!check.ok) fail('runtime', `the addon was built but does not load: ${check.output.trim().split('\n')[0]}`);
finish({ built: true, detail: check.output.trim() });
