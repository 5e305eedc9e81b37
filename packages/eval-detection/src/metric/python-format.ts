/**
 * Python's fixed-point formatting, f"{x:.{digits}f}": the exact binary value rounded to
 * `digits` decimals, halfway cases to even. JavaScript's toFixed rounds the exact value
 * too but sends halfway cases up (0.0625.toFixed(3) is '0.063', Python writes '0.062'), and
 * writes -0 as '0'; both are corrected here. Halfway cases are exactly the dyadic values
 * x = (2k+1) / (2·10^digits), e.g. 0.25 at one decimal, 1/16 at three.
 */
export function pythonFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const negative = x < 0 || Object.is(x, -0);
  const magnitude = Math.abs(x);
  const scale = 10 ** digits;
  const twice = magnitude * 2 * scale;
  const five = 5 ** digits;
  // A halfway case: twice·10^digits is an odd integer whose value divided back is x exactly.
  if (twice < 2 ** 53 && Number.isInteger(twice) && twice % 2 === 1 && twice % five === 0 && twice / (2 * scale) === magnitude) {
    const below = (twice - 1) / 2;
    const units = below % 2 === 0 ? below : below + 1;
    const text = String(units).padStart(digits + 1, '0');
    const body = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
    return negative ? `-${body}` : body;
  }
  const body = magnitude.toFixed(digits);
  return negative ? `-${body}` : body;
}
