/**
 * detectron2's DefaultAnchorGenerator for one feature map: cell anchors of every size × aspect
 * ratio (sizes outer, ratios inner; ratio = h / w, area = size²), centred on 0, shifted to every
 * location (x·stride + offset·stride). The list is location-major (row y, column x), anchor
 * index inner — the order of an NHWC head output [H, W, A] flattened.
 */
export function cellAnchors(sizes: readonly number[], ratios: readonly number[]): Float64Array {
  const out = new Float64Array(sizes.length * ratios.length * 4);
  let k = 0;
  for (const size of sizes) {
    const area = size * size;
    for (const ratio of ratios) {
      const w = Math.sqrt(area / ratio);
      const h = ratio * w;
      out.set([-w / 2, -h / 2, w / 2, h / 2], 4 * k++);
    }
  }
  return out;
}

export function gridAnchors(cell: Float64Array, height: number, width: number, stride: number, offset = 0): Float64Array {
  const a = cell.length >> 2;
  const out = new Float64Array(height * width * a * 4);
  let o = 0;
  for (let y = 0; y < height; y++) {
    const sy = y * stride + offset * stride;
    for (let x = 0; x < width; x++) {
      const sx = x * stride + offset * stride;
      for (let k = 0; k < a; k++) {
        out[o++] = cell[4 * k]! + sx;
        out[o++] = cell[4 * k + 1]! + sy;
        out[o++] = cell[4 * k + 2]! + sx;
        out[o++] = cell[4 * k + 3]! + sy;
      }
    }
  }
  return out;
}
