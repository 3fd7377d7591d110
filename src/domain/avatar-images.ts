// The avatar pipeline shared by uploads and remote copies: sniff the real type from the bytes,
// refuse oversized images before decoding, centre-crop to a square and re-encode to PNG without
// metadata at each size we serve.
import type { Metadata } from 'sharp';
import { ValidationError } from '../errors.ts';

/** The square sizes, in pixels, that every stored avatar has. */
export const AVATAR_SIZES = [96, 48, 24] as const;
export type AvatarSize = (typeof AVATAR_SIZES)[number];

/** Longest side of an image we agree to decode. */
export const AVATAR_MAX_SIDE = 4096;
/** Most pixels of an image we agree to decode (checked by sharp from the header, before decoding). */
export const AVATAR_MAX_PIXELS = AVATAR_MAX_SIDE * AVATAR_MAX_SIDE;

export type AvatarFormat = 'png' | 'jpeg' | 'gif' | 'webp';
export type AvatarImages = Record<AvatarSize, Buffer>;

function startsWith(bytes: Buffer, signature: readonly number[], offset = 0): boolean {
  return bytes.length >= offset + signature.length && signature.every((byte, i) => bytes[offset + i] === byte);
}

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** The image format the bytes really are (by magic number), or undefined for anything else. */
export function sniffImageFormat(bytes: Buffer): AvatarFormat | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'gif';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'webp';
  return undefined;
}

function refused(status: number, message: string): ValidationError {
  return new ValidationError({ avatar: message }, status);
}

/** Checks and converts an image into the stored sizes; ValidationError (4xx, field "avatar") when it is unusable. */
export async function makeAvatarImages(bytes: Buffer): Promise<AvatarImages> {
  const format = sniffImageFormat(bytes);
  if (!format) throw refused(415, 'That file is not a PNG, JPEG, GIF or WebP image.');
  // Loaded on first use: libvips added about 25 MB to every process, most of which never sees an image.
  const { default: sharp } = await import('sharp');
  // failOn 'warning': a truncated or damaged image is refused rather than half drawn.
  const options = { limitInputPixels: AVATAR_MAX_PIXELS, failOn: 'warning' as const, pages: 1 };
  let metadata: Metadata;
  try {
    // Only the header is read here, so the size can be reported; decoding below keeps the pixel limit.
    metadata = await sharp(bytes, { ...options, limitInputPixels: false }).metadata();
  } catch {
    throw refused(400, 'That image could not be read; it may be damaged or incomplete.');
  }
  if (metadata.format !== format) throw refused(415, 'That file is not a PNG, JPEG, GIF or WebP image.');
  const width = metadata.width ?? 0;
  const height = metadata.pageHeight ?? metadata.height ?? 0;
  if (width === 0 || height === 0) throw refused(400, 'That image could not be read; it may be damaged or incomplete.');
  if (width > AVATAR_MAX_SIDE || height > AVATAR_MAX_SIDE || width * height > AVATAR_MAX_PIXELS) {
    throw refused(413, `That image is ${width}×${height} pixels; at most ${AVATAR_MAX_SIDE}×${AVATAR_MAX_SIDE} are accepted.`);
  }
  const source = sharp(bytes, options).rotate(); // upright by its EXIF orientation, before the crop
  try {
    const images = await Promise.all(
      AVATAR_SIZES.map((size) => source.clone().resize(size, size, { fit: 'cover', position: 'centre' }).png({ compressionLevel: 9 }).toBuffer()),
    );
    return { 96: images[0]!, 48: images[1]!, 24: images[2]! };
  } catch (error) {
    if (/pixel limit/i.test((error as Error).message)) throw refused(413, `That image has more than ${AVATAR_MAX_PIXELS} pixels.`);
    throw refused(400, 'That image could not be read; it may be damaged or incomplete.');
  }
}
