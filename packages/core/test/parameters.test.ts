import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ParameterSet } from '../src/nn/parameters.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

test('a frozen scope registers buffers only, in the same store, down to its sub-scopes', (t) => {
  const params = new ParameterSet();
  params.scope('backbone').add('w', tf.ones([2]), 'weight');
  const target = params.scope('head').scope('momentum_backbone', { frozen: true });
  target.add('w', tf.ones([2]), 'weight');
  target.scope('bn').add('gamma', tf.ones([2]), 'norm');
  t.deepEqual(params.list().map((p) => `${p.name}:${p.role}:${p.variable.trainable}`), [
    'backbone.w:weight:true',
    'head.momentum_backbone.w:buffer:false',
    'head.momentum_backbone.bn.gamma:buffer:false',
  ]);
  t.deepEqual(params.trainable().map((p) => p.name), ['backbone.w']);
  params.dispose();
  t.is(params.list().length, 0);
});
