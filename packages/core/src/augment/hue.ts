import * as tf from '@tensorflow/tfjs-core';

type Plane = tf.Tensor4D;

/** One channel as a [B, H, W, 1] plane, by a 1×1 convolution (exact: the other weights are 0). */
function channel(images: tf.Tensor4D, c: number): Plane {
  const w = [0, 0, 0];
  w[c] = 1;
  return tf.conv2d(images, tf.tensor4d(w, [1, 1, 3, 1]), 1, 'valid');
}

/** 1 where a ≥ b, else 0: comparisons stay in float32 (bool ops, maximum, minimum are slow on wasm). */
const atLeast = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.sub(1, tf.step(tf.sub(b, a)));

/** min(a, b) through relu — not bit-exact, which the chroma does not need. */
const min2 = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.sub(a, tf.relu(tf.sub(a, b)));

/**
 * torchvision `adjust_hue` on a batch: RGB → HSV, hue turned by a per-image fraction of the
 * colour circle (`shifts` [B, 1, 1, 1] in [−0.5, 0.5]), HSV → RGB.
 *
 * Worked on [B, H, W, 1] planes, which share their memory layout with [B, 1, H, W], so the three
 * output channels are joined by one cheap concat on axis 1 and one transpose back to NHWC.
 * The maximum channel is picked with torchvision's tie order (r, then g, then b) by one-hot
 * weights; hue is in sixths of the circle. HSV → RGB uses the closed form
 * c = min + chroma·clamp(2 − |3 − |h − centre_c||, 0, 1), centre 3, 5, 1 for R, G, B — the
 * distance around the hue circle from where the channel is lowest — which equals torchvision's
 * sector table without a gather.
 */
export function adjustHue(images: tf.Tensor4D, shifts: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [batch, height, width] = images.shape;
    const r = channel(images, 0);
    const g = channel(images, 1);
    const b = channel(images, 2);
    const { minc, chroma, hue } = tf.tidy(() => {
      const isR = tf.mul(atLeast(r, g), atLeast(r, b));
      const notR = tf.sub(1, isR);
      const isG = tf.mul(notR, atLeast(g, b));
      const isB = tf.sub(notR, isG);
      const maxc = tf.addN([tf.mul(isR, r), tf.mul(isG, g), tf.mul(isB, b)]); // exact: one-hot weights
      const minc = min2(r, min2(g, b));
      const chroma = tf.sub(maxc, minc);
      // gray pixels: divide by 1 instead of 0 and get hue 0, as torchvision
      const safeChroma = tf.add(chroma, tf.sub(1, tf.step(chroma)));
      const sector = tf.addN([tf.mul(isR, tf.sub(g, b)), tf.mul(isG, tf.sub(b, r)), tf.mul(isB, tf.sub(r, g))]);
      const offset = tf.add(tf.mul(isG, 2), tf.mul(isB, 4));
      // hue ∈ [−1, 5) sixths plus a shift in [−3, 3]: wrapped into [0, 6]
      const h = tf.add(tf.add(tf.div(sector, safeChroma), offset), tf.mul(shifts, 6));
      const wrapped = tf.sub(tf.add(h, tf.mul(tf.sub(1, tf.step(h)), 6)), tf.mul(tf.step(tf.sub(h, 6)), 6));
      return { minc, chroma, hue: wrapped };
    });
    const out = [3, 5, 1].map((centre) =>
      tf.tidy(() => {
        const distance = tf.abs(tf.sub(3, tf.abs(tf.sub(hue, centre))));
        const rise = tf.clipByValue(tf.sub(2, distance), 0, 1);
        return tf.reshape(tf.add(minc, tf.mul(chroma, rise)), [batch, 1, height, width]);
      }),
    );
    return tf.transpose(tf.concat(out, 1), [0, 2, 3, 1]) as tf.Tensor4D;
  });
}
