/**
 * numpy's float64 summation (`np.sum`, `np.add.reduce`, and so `np.mean`) on a contiguous
 * 1-D array: pairwise summation with an 8-way unrolled block of up to 128 elements. Adding
 * in another order changes the last bits; reproducing numpy's order makes our AP equal to
 * detectron2's to the bit, not just to 1e-15.
 */
const BLOCK = 128;

function pairwise(a: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += a[start + i]!;
    return sum;
  }
  if (n <= BLOCK) {
    const r = [a[start]!, a[start + 1]!, a[start + 2]!, a[start + 3]!, a[start + 4]!, a[start + 5]!, a[start + 6]!, a[start + 7]!];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j]! += a[start + i + j]!;
    let sum = ((r[0]! + r[1]!) + (r[2]! + r[3]!)) + ((r[4]! + r[5]!) + (r[6]! + r[7]!));
    for (; i < n; i++) sum += a[start + i]!;
    return sum;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return pairwise(a, start, half) + pairwise(a, start + half, n - half);
}

/** np.sum(a) for float64 values. */
export function numpySum(a: ArrayLike<number>): number {
  return 0 + pairwise(a, 0, a.length);
}

/** np.mean(a): the pairwise sum divided by the count (NaN for an empty array, as numpy). */
export function numpyMean(a: ArrayLike<number>): number {
  return numpySum(a) / a.length;
}
