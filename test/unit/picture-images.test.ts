// The picture pipeline's limits, checked from the header before anything is decoded.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { makePictureImages, PictureError } from '../../src/domain/picture-images.ts';
import { solidPng, stripedImage } from '../helpers/images.ts';

async function refusal(bytes: Buffer): Promise<PictureError> {
  try {
    await makePictureImages(bytes);
  } catch (error) {
    assert.ok(error instanceof PictureError, String(error));
    return error;
  }
  assert.fail('the picture was accepted');
}

async function animation(width: number, height: number, frames: number): Promise<Buffer> {
  // Frames that differ, so that the encoder keeps each one.
  const frame = (i: number) => sharp({ create: { width, height, channels: 3, background: { r: (i * 40) % 256, g: 9, b: 9 } } }).png().toBuffer();
  return sharp(await Promise.all(Array.from({ length: frames }, (_, i) => frame(i))), { join: { animated: true } }).gif().toBuffer();
}

describe('picture images', () => {
  it('accepts a long panorama within the pixel budget, and thumbnails it inside 400×400', async () => {
    const images = await makePictureImages(await solidPng(8000, 500));
    assert.deepEqual([images.format, images.original.width, images.original.height], ['png', 8000, 500]);
    assert.deepEqual([images.thumbnail.width, images.thumbnail.height], [400, 25]);
  });

  it('refuses a side over 8192 pixels and too many pixels, with 413', async () => {
    const wide = await refusal(await solidPng(8193, 10));
    assert.equal(wide.status, 413);
    assert.match(wide.fields.pictures!, /is 8193×10 pixels/);
    assert.equal((await refusal(await solidPng(4200, 4200))).status, 413);
  });

  it('counts every frame of an animation against the budget', async () => {
    const images = await makePictureImages(await animation(64, 64, 4));
    assert.equal((await sharp(images.original.bytes).metadata()).pages, 4);
    const long = await refusal(await animation(1000, 1000, 20));
    assert.equal(long.status, 413);
    assert.match(long.fields.pictures!, /an animation of 20 frames of 1000×1000 pixels/);
  });

  it('refuses bytes whose header names another format than their signature', async () => {
    const png = await stripedImage('png', 20, 20);
    const disguised = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), png.subarray(3)]);
    assert.ok([400, 415].includes((await refusal(disguised)).status));
  });
});
