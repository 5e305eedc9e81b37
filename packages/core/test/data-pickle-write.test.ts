import { spawnSync } from 'node:child_process';
import test from 'ava';
import { NdArray, unpickle } from '../src/data/pickle.js';
import { float32NdArray, pickle, PickleTuple } from '../src/data/pickle-write.js';

const hasNumpy = spawnSync('/usr/bin/python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

const weights = new Float32Array([0.5, -1.25, 3.1415927, 1e-8, -0, 65504, Number.MIN_VALUE, 7]);
const sample = (): Map<string, unknown> => new Map<string, never>([
  ['model', new Map([['res2.0.conv1.weight', float32NdArray(weights, [2, 1, 2, 2])], ['stem.conv1.norm.bias', float32NdArray(new Float32Array([1, 2]), [2])]]) as never],
  ['__author__', 'sempair' as never],
  ['matching_heuristics', true as never],
  ['ints', [0, 255, 256, 65535, 65536, -1, -(2 ** 31), 2 ** 31, 2 ** 40, -(2 ** 40), 2 ** 53 - 1] as never],
  ['misc', [null, false, 0.25, 'héllo ✓', new Uint8Array([0, 1, 255]), new PickleTuple([]), new PickleTuple([1, 2, 3, 4])] as never],
]);

test('pickle → unpickle round-trips dicts, numbers, strings, bytes, tuples and float32 arrays', (t) => {
  const bytes = pickle(sample() as never);
  t.is(bytes[0], 0x80);
  t.is(bytes[1], 3);
  const back = unpickle(bytes, 'x.pkl') as Map<string, unknown>;
  t.is(back.get('__author__'), 'sempair');
  t.is(back.get('matching_heuristics'), true);
  t.deepEqual(back.get('ints'), [0, 255, 256, 65535, 65536, -1, -(2 ** 31), 2 ** 31, 2 ** 40, -(2 ** 40), 2 ** 53 - 1]);
  const misc = back.get('misc') as unknown[];
  t.deepEqual(misc.slice(0, 4), [null, false, 0.25, 'héllo ✓']);
  t.deepEqual([...(misc[4] as Uint8Array)], [0, 1, 255]);
  t.deepEqual(misc.slice(5), [[], [1, 2, 3, 4]]);
  const conv = (back.get('model') as Map<string, NdArray>).get('res2.0.conv1.weight')!;
  t.deepEqual(conv.shape, [2, 1, 2, 2]);
  t.is(conv.dtype.code, 'f4');
  t.is(conv.dtype.byteOrder, '<');
  t.false(conv.fortranOrder);
  t.deepEqual([...new Float32Array(conv.data.slice().buffer)], [...weights]);
  t.throws(() => float32NdArray(weights, [3, 3]), { message: /8 values for shape \[3, 3\]/ });
});

// Without numpy (.ci/run installs it) this shows as skipped, with the reason, never as passed.
(hasNumpy ? test : test.skip)(`python3's pickle and numpy load what pickle() writes${hasNumpy ? '' : ': needs /usr/bin/python3 with numpy'}`, (t) => {
  const script = String.raw`
import pickle, sys, json, warnings
import numpy as np
warnings.simplefilter("error")
d = pickle.load(sys.stdin.buffer)
w = d["model"]["res2.0.conv1.weight"]
assert isinstance(w, np.ndarray) and w.dtype == np.float32 and w.flags["C_CONTIGUOUS"], (type(w), w.dtype)
print(json.dumps({"author": d["__author__"], "mh": d["matching_heuristics"], "shape": list(w.shape), "w": [float(x) for x in w.ravel()],
                  "w0111": float(w[0, 0, 1, 1]), "ints": d["ints"], "misc": [repr(x) for x in d["misc"]], "keys": list(d["model"].keys())}))
`;
  const run = spawnSync('/usr/bin/python3', ['-c', script], { input: pickle(sample() as never), encoding: 'utf8' });
  t.is(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout);
  t.is(out.author, 'sempair');
  t.is(out.mh, true);
  t.deepEqual(out.shape, [2, 1, 2, 2]);
  t.deepEqual(out.w, [...weights]);
  t.is(out.w0111, weights[3]); // C order: [0,0,1,1] is the fourth value
  t.deepEqual(out.ints, [0, 255, 256, 65535, 65536, -1, -(2 ** 31), 2 ** 31, 2 ** 40, -(2 ** 40), 2 ** 53 - 1]);
  t.deepEqual(out.misc, ['None', 'False', '0.25', "'héllo ✓'", "b'\\x00\\x01\\xff'", '()', '(1, 2, 3, 4)']);
  t.deepEqual(out.keys, ['res2.0.conv1.weight', 'stem.conv1.norm.bias']);
});
