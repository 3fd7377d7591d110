// The avatar pipeline on its own: magic-number sniffing and the conversion, without a server.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { makeAvatarImages, sniffImageFormat } from '../../src/domain/avatar-images.ts';
import { ValidationError } from '../../src/errors.ts';
import { stripedImage } from '../helpers/images.ts';

describe('avatar images', () => {
  it('sniffs PNG, JPEG, GIF (87a and 89a) and WebP by their magic numbers only', async () => {
    for (const format of ['png', 'jpeg', 'gif', 'webp'] as const) assert.equal(sniffImageFormat(await stripedImage(format, 30, 30)), format);
    assert.equal(sniffImageFormat(Buffer.from('GIF87a\x01\x00')), 'gif');
    assert.equal(sniffImageFormat(Buffer.from('RIFF\x00\x00\x00\x00WAVEfmt ')), undefined, 'a RIFF file that is not WebP');
    assert.equal(sniffImageFormat(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')), undefined);
    assert.equal(sniffImageFormat(Buffer.from([0x89, 0x50, 0x4e])), undefined, 'too short to be a PNG');
    assert.equal(sniffImageFormat(Buffer.alloc(0)), undefined);
  });

  it('refuses a file whose header claims one format and whose body is another', async () => {
    const png = await stripedImage('png', 30, 30);
    const disguised = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), png.subarray(3)]);
    await assert.rejects(makeAvatarImages(disguised), (error: unknown) => error instanceof ValidationError && error.status >= 400 && error.status < 500);
  });

  it('makes square PNGs of 96, 48 and 24 px from a tall image, uprighting it by its EXIF orientation', async () => {
    // 40 wide, 120 tall, stored rotated: orientation 6 means "turn 90° clockwise to view".
    const rotated = await sharp({ create: { width: 120, height: 40, channels: 3, background: { r: 0, g: 128, b: 0 } } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const images = await makeAvatarImages(rotated);
    for (const size of [96, 48, 24] as const) {
      const meta = await sharp(images[size]).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height, meta.orientation], ['png', size, size, undefined]);
    }
  });
});
