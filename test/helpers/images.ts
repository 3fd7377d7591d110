// Test images made with sharp: real files of each accepted format, and broken ones.
import sharp from 'sharp';

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';

/** A width×height image, left third red, middle green, right third blue (to see where a crop came from). */
export async function stripedImage(format: ImageFormat, width = 300, height = 150): Promise<Buffer> {
  const third = Math.floor(width / 3);
  const block = (r: number, g: number, b: number, w: number) => sharp({ create: { width: w, height, channels: 3, background: { r, g, b } } }).png().toBuffer();
  const base = sharp({ create: { width, height, channels: 3, background: { r: 255, g: 0, b: 0 } } });
  const composed = base.composite([
    { input: await block(0, 255, 0, width - 2 * third), left: third, top: 0 },
    { input: await block(0, 0, 255, third), left: width - third, top: 0 },
  ]);
  const encoded = format === 'jpeg' ? composed.jpeg({ quality: 95 }) : format === 'gif' ? composed.gif() : format === 'webp' ? composed.webp({ lossless: true }) : composed.png();
  return encoded.toBuffer();
}

/** A JPEG carrying EXIF data (a camera-like tag), to prove it is stripped. */
export function jpegWithExif(): Promise<Buffer> {
  return sharp({ create: { width: 120, height: 80, channels: 3, background: { r: 10, g: 120, b: 200 } } })
    .jpeg()
    .withExif({ IFD0: { Copyright: 'secret-exif-marker', Make: 'TestCam' } })
    .toBuffer();
}

/** A solid image of the given size (PNG compresses it to a few KB however large it is). */
export function solidPng(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 200, b: 0 } }, limitInputPixels: false }).png({ palette: true, colours: 2, compressionLevel: 9 }).toBuffer();
}

/** A file part for a multipart form. */
export function filePart(bytes: Buffer | string, name: string, type: string): File {
  return new File([typeof bytes === 'string' ? bytes : new Uint8Array(bytes)], name, { type });
}
