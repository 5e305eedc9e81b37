import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import sharp from 'sharp';

/** One picture of the sheet: uint8 HWC, gray (1 channel) or RGB (3). */
export interface Tile {
  pixels: Uint8Array;
  height: number;
  width: number;
  channels: 1 | 3;
}

export interface SheetOptions {
  /** Smallest side a tile is scaled up to (nearest neighbour, whole factors), so 32 px images are visible. */
  minTileSize: number;
  /** Pixels between tiles and around the sheet. */
  gap: number;
}

export const DEFAULT_SHEET: SheetOptions = { minTileSize: 96, gap: 6 };

/** Where every tile lies: a grid of equal cells, `gap` pixels apart and from the border. */
export interface SheetLayout {
  rows: number;
  columns: number;
  cellWidth: number;
  cellHeight: number;
  gap: number;
  width: number;
  height: number;
}

// Dark grey between tiles: white or black would blend into bright or dark images.
const BACKGROUND = 48;

/** The whole-number factor that brings the longer side to at least `minTileSize`. */
export function upscaleFactor(tile: Pick<Tile, 'height' | 'width'>, minTileSize: number): number {
  return Math.max(1, Math.ceil(minTileSize / Math.max(tile.height, tile.width)));
}

/** Cell size fits the largest scaled tile; sheet size follows from cells and gaps. */
export function sheetLayout(rows: readonly (readonly Tile[])[], options: SheetOptions = DEFAULT_SHEET): SheetLayout {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  let cellWidth = 1;
  let cellHeight = 1;
  for (const tile of rows.flat()) {
    const f = upscaleFactor(tile, options.minTileSize);
    cellWidth = Math.max(cellWidth, tile.width * f);
    cellHeight = Math.max(cellHeight, tile.height * f);
  }
  const { gap } = options;
  return {
    rows: rows.length,
    columns,
    cellWidth,
    cellHeight,
    gap,
    width: columns * cellWidth + (columns + 1) * gap,
    height: rows.length * cellHeight + (rows.length + 1) * gap,
  };
}

/** Copies `tile`, scaled up by `factor` (nearest neighbour) and centred, into an RGB canvas. */
function paint(canvas: Uint8Array, canvasWidth: number, tile: Tile, factor: number, left: number, top: number): void {
  for (let y = 0; y < tile.height * factor; y++) {
    const sy = Math.floor(y / factor);
    for (let x = 0; x < tile.width * factor; x++) {
      const source = (sy * tile.width + Math.floor(x / factor)) * tile.channels;
      const target = ((top + y) * canvasWidth + left + x) * 3;
      for (let ch = 0; ch < 3; ch++) canvas[target + ch] = tile.pixels[source + (tile.channels === 3 ? ch : 0)]!;
    }
  }
}

/** Lays the tiles out row by row into a PNG (in memory). */
export async function contactSheetPng(
  rows: readonly (readonly Tile[])[],
  options: SheetOptions = DEFAULT_SHEET,
): Promise<{ png: Buffer; layout: SheetLayout }> {
  const layout = sheetLayout(rows, options);
  const canvas = new Uint8Array(layout.width * layout.height * 3).fill(BACKGROUND);
  rows.forEach((row, r) => {
    row.forEach((tile, c) => {
      const f = upscaleFactor(tile, options.minTileSize);
      const left = layout.gap + c * (layout.cellWidth + layout.gap) + Math.floor((layout.cellWidth - tile.width * f) / 2);
      const top = layout.gap + r * (layout.cellHeight + layout.gap) + Math.floor((layout.cellHeight - tile.height * f) / 2);
      paint(canvas, layout.width, tile, f, left, top);
    });
  });
  const png = await sharp(canvas, { raw: { width: layout.width, height: layout.height, channels: 3 } }).png().toBuffer();
  return { png, layout };
}

/** Lays the tiles out row by row and writes the sheet as a PNG (creating the folder). */
export async function writeContactSheet(
  rows: readonly (readonly Tile[])[],
  path: string,
  options: SheetOptions = DEFAULT_SHEET,
): Promise<SheetLayout> {
  const { png, layout } = await contactSheetPng(rows, options);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, png);
  return layout;
}
