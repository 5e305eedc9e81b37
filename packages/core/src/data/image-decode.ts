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
