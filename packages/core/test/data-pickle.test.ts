import { spawnSync } from 'node:child_process';
import test from 'ava';
import { NdArray, pickleIntegers, pickleText, unpickle } from '../src/data/pickle.js';
import { UserError } from '../src/errors.js';

const hasNumpy = spawnSync('/usr/bin/python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

function pythonPickle(protocol: number): Buffer {
  const script = String.raw`
import pickle, sys
import numpy as np
d = {b'ints': [1, 300, 70000, -5, 2**40], 'text': 'h\u00e9llo', b'flags': (True, False, None), b'f': 0.25,
     b'i8': np.array([3, -4, 5], dtype='<i8'), b'u8': np.arange(6, dtype=np.uint8).reshape(2, 3), b'empty': b''}
sys.stdout.buffer.write(pickle.dumps(d, protocol=int(sys.argv[1])))
`;
  const run = spawnSync('/usr/bin/python3', ['-c', script, String(protocol)]);
  if (run.status !== 0) throw new Error(`python3 failed: ${run.stderr}`);
  return run.stdout;
}

// Without numpy (.ci/run installs it) these show as skipped in the report, never as passed.
for (const protocol of [2, 3, 4, 5]) {
  (hasNumpy ? test : test.skip)(`values of a python3 protocol ${protocol} pickle${hasNumpy ? '' : ': needs /usr/bin/python3 with numpy'}`, (t) => {
    const value = unpickle(pythonPickle(protocol), 'x.pkl');
    t.true(value instanceof Map);
    const dict = value as Map<string | number, unknown>;
    t.deepEqual(dict.get('ints'), [1, 300, 70000, -5, 2 ** 40]);
    t.is(dict.get('text'), 'héllo');
    t.deepEqual(dict.get('flags'), [true, false, null]);
    t.is(dict.get('f'), 0.25);
    t.deepEqual(pickleIntegers(dict.get('i8') as NdArray), [3, -4, 5]);
    const u8 = dict.get('u8') as NdArray;
    t.true(u8 instanceof NdArray);
    t.deepEqual(u8.shape, [2, 3]);
    t.is(u8.dtype.code, 'u1');
    t.deepEqual([...u8.data], [0, 1, 2, 3, 4, 5]);
    t.deepEqual([...(dict.get('empty') as Uint8Array)], []);
  });
}

test('a hand-made protocol 2 pickle with Python 2 strings', (t) => {
  // {'k': ['ab', 7]} as cPickle writes it: PROTO 2, EMPTY_DICT, BINPUT, SHORT_BINSTRING keys, APPENDS.
  const bytes = Buffer.from([0x80, 2, 0x7d, 0x71, 0, 0x55, 1, 0x6b, 0x71, 1, 0x5d, 0x71, 2, 0x28, 0x55, 2, 0x61, 0x62, 0x71, 3, 0x4b, 7, 0x65, 0x73, 0x2e]);
  const dict = unpickle(bytes, 'x') as Map<string, unknown>;
  const list = dict.get('k') as unknown[];
  t.is(pickleText(list[0] as Uint8Array), 'ab');
  t.is(list[1], 7);
});

test('refuses globals it does not rebuild, unknown opcodes and truncation, naming the file', (t) => {
  // os.system('ls') — the reader must never call arbitrary globals.
  const evil = Buffer.concat([Buffer.from('\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00lsq\x01\x85q\x02Rq\x03.', 'latin1')]);
  t.throws(() => unpickle(evil, 'evil.pkl'), { instanceOf: UserError, message: /evil\.pkl .*global os\.system/ });
  t.throws(() => unpickle(Buffer.from([0x80, 2, 0x70]), 'odd.pkl'), { instanceOf: UserError, message: /odd\.pkl .*opcode 0x70 is not supported/ });
  t.throws(() => unpickle(Buffer.from([0x80, 2, 0x58, 9, 0, 0, 0, 0x61]), 'cut.pkl'), { instanceOf: UserError, message: /cut\.pkl .*truncated/ });
});
