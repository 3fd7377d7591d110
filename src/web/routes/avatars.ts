// Serving avatars (/:nickname/avatar/:size, /remote/:id/avatar/:size) and the permanent /user/:id.
import path from 'node:path';
import { Router } from 'express';
import type { Request, Response } from 'express';
import type { DomainContext } from '../../domain/context.ts';
import { findUser } from '../../domain/accounts.ts';
import { avatarSizeOf, localAvatarFile, remoteAvatarFile } from '../../domain/avatars.ts';
import type { AvatarFile, AvatarSize } from '../../domain/avatars.ts';
import { parseId } from '../../domain/ids.ts';
import { looksLikeNickname } from '../../domain/nicknames.ts';
import { defaultAvatarPath, profileUrl } from '../../domain/urls.ts';
import { NotFoundError } from '../../errors.ts';

const PUBLIC = path.resolve(import.meta.dirname, '../../../public');

// A URL carrying the current key never changes content; any other may, so it is kept briefly.
const FOREVER = 'public, max-age=31536000, immutable';
const BRIEFLY = 'public, max-age=300';

function send(res: Response, file: string, cacheControl: string): Promise<void> {
  return new Promise((resolve, reject) => {
    res.sendFile(file, { cacheControl: false, headers: { 'Content-Type': 'image/png', 'Cache-Control': cacheControl, 'X-Content-Type-Options': 'nosniff' } }, (error) => {
      if (error) reject(error);
      else resolve();
    });
  });
}

async function serve(req: Request, res: Response, size: AvatarSize, found: AvatarFile | null): Promise<void> {
  if (found === null) throw new NotFoundError('There is nobody by that name here.');
  const fallback = path.join(PUBLIC, defaultAvatarPath(size)); // the picture pages link for nobody's avatar
  if (!found) return send(res, fallback, BRIEFLY);
  try {
    await send(res, found.file, req.query.v === found.key ? FOREVER : BRIEFLY);
  } catch (error) {
    // The row points at files that are gone (restored database, cleaned disk): show the default.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || res.headersSent) throw error;
    await send(res, fallback, BRIEFLY);
  }
}

function sizeFrom(raw: string): AvatarSize {
  const size = avatarSizeOf(raw);
  if (size === undefined) throw new NotFoundError('Avatars come in 96, 48 and 24 pixels.');
  return size;
}

/** Avatar images and identifier redirects. */
export function avatarRoutes(ctx: DomainContext, router: Router = Router()): Router {

  router.get('/user/:id', async (req, res) => {
    const id = parseId(req.params.id);
    const user = id === undefined ? undefined : await findUser(ctx, id);
    if (!user) throw new NotFoundError('There is no user with that number here.');
    res.redirect(301, profileUrl(ctx.config.publicUrl, user.nickname));
  });

  router.get('/remote/:id/avatar/:size', async (req, res) => {
    const size = sizeFrom(req.params.size);
    await serve(req, res, size, await remoteAvatarFile(ctx, req.params.id, size));
  });

  router.get('/:nickname/avatar/:size', async (req, res, next) => {
    if (!looksLikeNickname(req.params.nickname)) return next();
    const size = sizeFrom(req.params.size);
    await serve(req, res, size, await localAvatarFile(ctx, req.params.nickname, size));
  });

  return router;
}
