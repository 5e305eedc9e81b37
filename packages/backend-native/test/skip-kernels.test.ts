// SEMPAIR_NATIVE_SKIP leaves the named kernels to the stock cpu ones (to isolate a faulty
// kernel); every other override stays. Its own file: ava runs each file in its own process.
process.env.SEMPAIR_NATIVE_SKIP = 'Conv2D, Softmax';
const { native, nativeTest, normal, tf } = await import('./helpers.js');

nativeTest('SEMPAIR_NATIVE_SKIP=Conv2D,Softmax registers every kernel but those two', async (t) => {
  const k = await native();
  t.false(k.kernels.includes('Conv2D'));
  t.false(k.kernels.includes('Softmax'));
  t.true(k.kernels.includes('Conv2DBackpropFilter'));
  t.true(k.kernels.includes('MatMul') || k.kernels.includes('BatchMatMul'));
  k.resetStats();
  const x = normal([1, 6, 6, 2], 1);
  const w = normal([3, 3, 2, 3], 2);
  const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same');
  t.deepEqual(y.shape, [1, 6, 6, 3]);
  t.is(k.stats()['Conv2D'], undefined, 'the stock Conv2D ran, not the native one');
  tf.dispose([x, w, y]);
});
