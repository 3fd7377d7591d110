// The files under public/, served at their own paths only.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import { Router } from 'express';

/**
 * Serves public/'s folders and files at /<name>. Mounting each folder under its own prefix (rather
 * than one static handler for every path) keeps pages like / and /:nickname from costing a stat()
 * of the disk on every request.
 */
export function staticFiles(publicDir: string): Router {
  const router = Router();
  const options = { maxAge: '1d', index: false } as const;
  for (const entry of readdirSync(publicDir, { withFileTypes: true })) {
    const mountPath = `/${entry.name}`;
    if (entry.isDirectory()) {
      router.use(mountPath, express.static(path.join(publicDir, entry.name), options));
    } else if (entry.isFile()) {
      router.get(mountPath, (_req, res, next) => res.sendFile(entry.name, { ...options, root: publicDir }, (error) => error && next(error)));
    }
  }
  return router;
}
