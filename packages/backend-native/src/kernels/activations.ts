// Activation codes of native/matmul.cc's biasActivation, by tfjs fused-kernel name.
export const ACTIVATIONS: Record<string, number> = {
  linear: 0,
  relu: 1,
  relu6: 2,
  leakyrelu: 3,
  sigmoid: 4,
  elu: 5,
};

/** A bias that adds one value per last-axis entry ([n], [1, …, n]) or one value overall. */
export function isRowBias(shape: readonly number[], n: number): boolean {
  const last = shape.length - 1;
  return shape.every((d, i) => (i === last ? d === n || d === 1 : d === 1));
}
