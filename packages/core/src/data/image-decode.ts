import sharp from 'sharp';
import { UserError } from '../errors.js';

/**
 * How a decoded image is brought to the target height × width:
 * - 'fill': stretch to h × w (aspect ratio not kept);
 * - 'cover': scale so the shorter side fits, then crop the centre — torchvision's
 *   Resize(size) followed by CenterCrop(size), the usual ImageNet evaluation transform.
 */
export type ImageFit = 'fill' | 'cover';

/** File extensions sharp decodes (its prebuilt libvips has no BMP/PPM), compared lower-case. */
export const DECODABLE_IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif', '.heic', '.heif'];

/** True when `name` ends in one of DECODABLE_IMAGE_EXTENSIONS, in any case. */
export function isDecodableImageName(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot >= 0 && DECODABLE_IMAGE_EXTENSIONS.includes(name.slice(dot).toLowerCase());
}

/**
 * Decodes an image file to uint8 HWC of shape [h, w, c] (c = 1 gray, c = 3 sRGB; alpha dropped).
 * Throws sharp's own Error when the file is missing, corrupt or not an image.
 */
export async function decodeImageFile(path: string, [h, w, c]: readonly [number, number, number], fit: ImageFit = 'fill'): Promise<Uint8Array> {
  let pipeline = sharp(path)
    .resize(w, h, fit === 'fill' ? { fit: 'fill' } : { fit: 'cover', position: 'centre' })
    .removeAlpha();
  pipeline = c === 1 ? pipeline.grayscale() : pipeline.toColourspace('srgb');
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== c) throw new Error(`decoded ${info.channels} channels, expected ${c}`);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** decodeImageFile, with any failure reported as a UserError that names the file. */
export async function decodeImage(
  path: string,
  shape: readonly [number, number, number],
  options: { fit?: ImageFit; fix?: string } = {},
): Promise<Uint8Array> {
  try {
    return await decodeImageFile(path, shape, options.fit);
  } catch (error) {
    throw new UserError(`cannot decode image ${path}: ${(error as Error).message}`, options.fix ?? 'replace or remove that file');
  }
}

/** An image decoded at its own size: uint8 HWC, length height·width·channels. */
export interface DecodedImageFile {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
}

/**
 * Decodes an image file at its own size (no resize) to gray (1) or sRGB (3, the default),
 * alpha dropped, EXIF orientation applied (as PIL-based loaders such as detectron2's do).
 * Any failure is a UserError that names the file.
 */
export async function decodeImageFileAsIs(path: string, channels: 1 | 3 = 3, fix = 'replace or remove that file'): Promise<DecodedImageFile> {
  try {
    let pipeline = sharp(path).rotate().removeAlpha();
    pipeline = channels === 1 ? pipeline.grayscale() : pipeline.toColourspace('srgb');
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== channels) throw new Error(`decoded ${info.channels} channels, expected ${channels}`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels };
  } catch (error) {
    throw new UserError(`cannot decode image ${path}: ${(error as Error).message}`, fix);
  }
}

/** Encodes uint8 HWC pixels (1 or 3 channels) as a JPEG (quality 1–100) or PNG file's bytes. */
export async function encodeImage(
  data: Uint8Array,
  { width, height, channels }: { width: number; height: number; channels: 1 | 3 },
  format: { type: 'jpeg'; quality?: number } | { type: 'png' },
): Promise<Uint8Array> {
  if (data.length !== width * height * channels) throw new Error(`encodeImage: ${data.length} bytes for ${height}×${width}×${channels}`);
  const image = sharp(data, { raw: { width, height, channels } });
  const encoded = format.type === 'jpeg' ? image.jpeg({ quality: format.quality ?? 90 }) : image.png();
  return new Uint8Array(await encoded.toBuffer());
}
