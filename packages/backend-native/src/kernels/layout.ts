// Shape arithmetic shared by the elementwise, reduction and transpose kernels: each collapses
// the tensor to the fewest dims that describe the same memory walk, so the native loops stay
// simple and fast.

export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** Element strides of `inShape` read along `outShape` (numpy broadcasting): 0 where broadcast. */
export function broadcastStrides(outShape: readonly number[], inShape: readonly number[]): number[] {
  const offset = outShape.length - inShape.length;
  const own = contiguousStrides(inShape);
  return outShape.map((_, i) => {
    const j = i - offset;
    return j < 0 || inShape[j] === 1 ? 0 : own[j]!;
  });
}

/**
 * Merges dims of an output walk read through several operands' strides: size-1 dims are
 * dropped, and neighbours merge where every operand steps through them as one dim.
 */
export function collapse(dims: readonly number[], strides: readonly (readonly number[])[]): { dims: number[]; strides: number[][] } {
  const outDims: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let i = 0; i < dims.length; i++) {
    const d = dims[i]!;
    if (d === 1) continue;
    const last = outDims.length - 1;
    const mergeable = last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[i]! * d);
    if (mergeable) {
      outDims[last] = outDims[last]! * d;
      strides.forEach((s, k) => (outStrides[k]![last] = s[i]!));
    } else {
      outDims.push(d);
      strides.forEach((s, k) => outStrides[k]!.push(s[i]!));
    }
  }
  if (outDims.length === 0) return { dims: [1], strides: strides.map(() => [1]) };
  return { dims: outDims, strides: outStrides };
}

/**
 * A reduction over `axes` as [outer, reduce, inner], or undefined when the reduced axes are
 * not one contiguous run once size-1 dims are ignored (then the stock kernel handles it).
 */
export function reductionView(shape: readonly number[], axes: readonly number[]): { outer: number; reduce: number; inner: number } | undefined {
  const reduced = new Set(axes);
  let outer = 1;
  let reduce = 1;
  let inner = 1;
  let phase = 0; // 0: before the reduced run, 1: in it, 2: after it
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (d === 1) continue;
    if (reduced.has(i)) {
      if (phase === 2) return undefined;
      phase = 1;
      reduce *= d;
    } else if (phase === 0) {
      outer *= d;
    } else {
      phase = 2;
      inner *= d;
    }
  }
  return { outer, reduce, inner };
}

/** A transpose with size-1 dims dropped and input axes that stay adjacent merged. */
export function collapseTranspose(shape: readonly number[], perm: readonly number[]): { dims: number[]; perm: number[] } {
  // Drop size-1 axes, renumbering the rest.
  const keep = shape.map((d) => d !== 1);
  const renumber: number[] = [];
  let next = 0;
  for (let i = 0; i < shape.length; i++) renumber.push(keep[i] ? next++ : -1);
  const dims0 = shape.filter((_, i) => keep[i]);
  const perm0 = perm.filter((p) => keep[p]).map((p) => renumber[p]!);
  if (dims0.length === 0) return { dims: [1], perm: [0] };
  // Group runs where perm steps by +1: those input axes move together.
  const groups: number[][] = [];
  for (const p of perm0) {
    const group = groups.at(-1);
    if (group !== undefined && group.at(-1)! + 1 === p) group.push(p);
    else groups.push([p]);
  }
  const byInput = [...groups].sort((a, b) => a[0]! - b[0]!);
  const dims = byInput.map((g) => g.reduce((n, axis) => n * dims0[axis]!, 1));
  const perm1 = groups.map((g) => byInput.indexOf(g));
  return { dims, perm: perm1 };
}
