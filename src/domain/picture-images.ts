// The picture pipeline shared by uploads and copies of remote pictures: sniff the real type from the
// bytes, refuse oversized images before decoding, then re-encode the original (upright, in its own
// format, animation kept, every metadata block dropped) and make a small still thumbnail.
import type { Metadata, Sharp, SharpConstructor } from 'sharp';
import { ValidationError } from '../errors.ts';
import { AVATAR_MAX_PIXELS, sniffImageFormat } from './avatar-images.ts';
import type { AvatarFormat } from './avatar-images.ts';

/** Longest side of a picture we agree to decode (panoramas are long and thin). */
export const PICTURE_MAX_SIDE = 8192;
/** Most pixels of a picture, all frames of an animation together: the same budget as avatars. */
export const PICTURE_MAX_PIXELS = AVATAR_MAX_PIXELS;
/** The box a thumbnail fits in, in pixels. */
export const THUMBNAIL_SIDE = 400;

export type PictureFormat = AvatarFormat;

/** The media type of each format we store, and the file extension it is served with. */
export const PICTURE_TYPES: Readonly<Record<PictureFormat, { mediaType: string; extension: string }>> = {
  jpeg: { mediaType: 'image/jpeg', extension: 'jpg' },
  png: { mediaType: 'image/png', extension: 'png' },
  gif: { mediaType: 'image/gif', extension: 'gif' },
  webp: { mediaType: 'image/webp', extension: 'webp' },
};

/** Thumbnails are always still WebP images. */
export const THUMBNAIL_MEDIA_TYPE = 'image/webp';

export type EncodedImage = { bytes: Buffer; width: number; height: number };
export type PictureImages = { format: PictureFormat; original: EncodedImage; thumbnail: EncodedImage };

/** Why a picture cannot be used: a 4xx with a sentence that does not yet say which picture it was. */
export class PictureError extends ValidationError {
  constructor(status: number, message: string) {
    super({ pictures: message }, status);
  }
}

const NOT_AN_IMAGE = 'is not a PNG, JPEG, GIF or WebP image';
const UNREADABLE = 'could not be read; it may be damaged or incomplete';

function encode(image: Sharp, format: PictureFormat): Sharp {
  switch (format) {
    case 'jpeg':
      return image.jpeg({ quality: 85, mozjpeg: true });
    case 'png':
      return image.png();
    case 'gif':
      return image.gif();
    case 'webp':
      return image.webp({ quality: 85 });
  }
}

// The header only: its size and frame count, so that nothing too large is ever decoded.
async function readHeader(sharp: SharpConstructor, bytes: Buffer, format: PictureFormat): Promise<{ width: number; height: number; frames: number }> {
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, { limitInputPixels: false, failOn: 'warning' }).metadata();
  } catch {
    throw new PictureError(400, UNREADABLE);
  }
  if (metadata.format !== format) throw new PictureError(415, NOT_AN_IMAGE);
  const width = metadata.width ?? 0;
  const height = metadata.pageHeight ?? metadata.height ?? 0;
  const frames = Math.max(1, metadata.pages ?? 1);
  if (width === 0 || height === 0) throw new PictureError(400, UNREADABLE);
  if (width > PICTURE_MAX_SIDE || height > PICTURE_MAX_SIDE || width * height > PICTURE_MAX_PIXELS) {
    throw new PictureError(413, `is ${width}×${height} pixels; at most ${PICTURE_MAX_PIXELS.toLocaleString('en')} pixels, and ${PICTURE_MAX_SIDE} on a side, are accepted`);
  }
  if (width * height * frames > PICTURE_MAX_PIXELS) {
    throw new PictureError(413, `is an animation of ${frames} frames of ${width}×${height} pixels; at most ${PICTURE_MAX_PIXELS.toLocaleString('en')} pixels in all frames together are accepted`);
  }
  return { width, height, frames };
}

/** Checks and converts a picture into the stored original and thumbnail; PictureError (4xx) when it is unusable. */
export async function makePictureImages(bytes: Buffer): Promise<PictureImages> {
  const format = sniffImageFormat(bytes);
  if (!format) throw new PictureError(415, NOT_AN_IMAGE);
  // Loaded on first use, as for avatars: most processes never see an image.
  const { default: sharp } = await import('sharp');
  const { frames } = await readHeader(sharp, bytes, format);
  const animated = frames > 1;
  // failOn 'warning': a truncated or damaged image is refused rather than half drawn. The pixel
  // limit stays on while decoding. EXIF orientation is applied; no metadata is written out.
  const options = { limitInputPixels: PICTURE_MAX_PIXELS, failOn: 'warning' as const };
  try {
    const original = await encode(sharp(bytes, { ...options, animated }).rotate(), format).toBuffer({ resolveWithObject: true });
    const thumbnail = await sharp(bytes, { ...options, pages: 1 })
      .rotate()
      .resize(THUMBNAIL_SIDE, THUMBNAIL_SIDE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer({ resolveWithObject: true });
    return {
      format,
      original: { bytes: original.data, width: original.info.width, height: original.info.pageHeight ?? original.info.height },
      thumbnail: { bytes: thumbnail.data, width: thumbnail.info.width, height: thumbnail.info.height },
    };
  } catch (error) {
    if (/pixel limit/i.test((error as Error).message)) throw new PictureError(413, `has more than ${PICTURE_MAX_PIXELS.toLocaleString('en')} pixels`);
    throw new PictureError(400, UNREADABLE);
  }
}
