import * as tf from '@tensorflow/tfjs-core';

/** Loss weights of VICReg: λ (invariance), μ (variance), ν (covariance). */
export interface VicregWeights {
  sim?: number;
  var?: number;
  cov?: number;
}

export interface VicregLossOutput {
  /** sim·invariance + var·variance + cov·covariance. */
  loss: tf.Scalar;
  /** MSE between z1 and z2 over all entries (unweighted). */
  invariance: tf.Scalar;
  /** Σ over both branches of mean_d relu(1 − sqrt(var_d + 1e-4)) (unweighted). */
  variance: tf.Scalar;
  /** Σ over both branches of Σ_{i≠j} C_ij² / D (unweighted). */
  covariance: tf.Scalar;
}

export const VICREG_DEFAULT_WEIGHTS: Readonly<Required<VicregWeights>> = Object.freeze({ sim: 25, var: 25, cov: 1 });

const EPS = 1e-4;

/** mean_d relu(1 − sqrt(var_unbiased(z[:, d]) + eps)), solo-learn's per-branch variance term. */
function varianceTerm(centred: tf.Tensor2D, rows: number): tf.Scalar {
  const variance = tf.div(tf.sum(tf.square(centred), 0), rows);
  return tf.mean(tf.relu(tf.sub(1, tf.sqrt(tf.add(variance, EPS))))) as tf.Scalar;
}

/** Σ_{i≠j} C_ij² / D with C = zcᵀ·zc / (N − 1); the diagonal is masked out, not subtracted. */
function covarianceTerm(centred: tf.Tensor2D, rows: number, offDiagonal: tf.Tensor2D): tf.Scalar {
  const d = centred.shape[1];
  const cov = tf.div(tf.matMul(centred, centred, true, false), rows);
  return tf.div(tf.sum(tf.mul(tf.square(cov), offDiagonal)), d) as tf.Scalar;
}

/**
 * VICReg loss (Bardes et al. 2022), equal to solo-learn's `vicreg_loss_func`:
 *
 *   invariance = mean((z1 − z2)²) over all entries,
 *   variance   = mean_d relu(1 − sqrt(var(z1)_d + 1e-4)) + the same for z2 (var unbiased, N−1),
 *   covariance = Σ_{i≠j} C(z1)_ij² / D + the same for z2, C from centred z with N−1,
 *   loss       = sim·invariance + var·variance + cov·covariance  (defaults 25 / 25 / 1).
 *
 * Rows of z1 and z2 with the same position are the positive pairs (the two branches).
 */
export function vicregLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, weights: VicregWeights = {}): VicregLossOutput {
  if (z1.rank !== 2 || z2.rank !== 2) {
    throw new Error(`vicregLoss: z1 and z2 must be [N, D], got [${z1.shape.join(', ')}] and [${z2.shape.join(', ')}]`);
  }
  if (z1.shape[0] !== z2.shape[0] || z1.shape[1] !== z2.shape[1]) {
    throw new Error(`vicregLoss: z1 and z2 must have the same shape, got [${z1.shape.join(', ')}] and [${z2.shape.join(', ')}]`);
  }
  const [n, d] = z1.shape;
  if (n < 2) throw new Error(`vicregLoss: needs at least 2 rows for an unbiased variance, got ${n}`);
  const w = { ...VICREG_DEFAULT_WEIGHTS, ...weights };
  for (const [k, v] of Object.entries(w)) {
    if (!Number.isFinite(v)) throw new Error(`vicregLoss: weight ${k} must be a finite number, got ${v}`);
  }

  return tf.tidy(() => {
    const rows = n - 1;
    const invariance = tf.mean(tf.squaredDifference(z1, z2)) as tf.Scalar;
    const c1 = tf.sub(z1, tf.mean(z1, 0, true)) as tf.Tensor2D;
    const c2 = tf.sub(z2, tf.mean(z2, 0, true)) as tf.Tensor2D;
    const variance = tf.add(varianceTerm(c1, rows), varianceTerm(c2, rows)) as tf.Scalar;
    const offDiagonal = tf.sub(1, tf.eye(d)) as tf.Tensor2D;
    const covariance = tf.add(covarianceTerm(c1, rows, offDiagonal), covarianceTerm(c2, rows, offDiagonal)) as tf.Scalar;
    const loss = tf.addN([tf.mul(invariance, w.sim), tf.mul(variance, w.var), tf.mul(covariance, w.cov)]) as tf.Scalar;
    return { loss, invariance, variance, covariance };
  });
}
