// Pictures as ActivityPub `attachment`s: ours go out as Documents (media type, URL of the stored
// original, name = description, width, height), as Mastodon and GoToSocial send and read them;
// theirs come in as Documents or Images with an image media type, to be copied by a job.
import { Document, Image, Link } from '@fedify/fedify/vocab';
import type { DocumentLoader } from '@fedify/fedify';
import type { Note } from '@fedify/fedify/vocab';
import type { NoticeRecord } from '../../domain/lookups.ts';
import type { RemotePictureInput } from '../../domain/remote-pictures.ts';
import { pictureFileName } from '../../domain/attachment-files.ts';
import { pictureFileUrlPath } from '../../domain/urls.ts';

/** A notice's stored pictures as attachment Documents. */
export function toAttachments(publicUrl: string, notice: Pick<NoticeRecord, 'attachments'>): Document[] {
  return notice.attachments.flatMap((picture) => {
    if (picture.state !== 'ready' || !picture.fileKey) return []; // only what we can serve ourselves
    return [
      new Document({
        mediaType: picture.mediaType,
        url: new URL(`${publicUrl}${pictureFileUrlPath(pictureFileName(picture.fileKey, picture.mediaType, 'original'))}`),
        name: picture.alt === '' ? null : picture.alt,
        width: picture.width,
        height: picture.height,
      }),
    ];
  });
}

function firstHref(url: URL | Link | null): string | null {
  const href = url instanceof Link ? url.href : url;
  return href instanceof URL ? href.href : null;
}

/** The pictures a Note carries (Documents and Images with an image type, or Images without one); anything else is left out. */
export async function fromAttachments(note: Note, loaders: { documentLoader: DocumentLoader; contextLoader: DocumentLoader }): Promise<RemotePictureInput[]> {
  const pictures: RemotePictureInput[] = [];
  try {
    // Embedded objects are read as they are; one given only by its URL is fetched from its own server.
    for await (const item of note.getAttachments({ ...loaders, crossOrigin: 'ignore', suppressError: true })) {
      if (!(item instanceof Document)) continue; // Image is a Document; links, notes and property values are not pictures
      const mediaType = item.mediaType ?? null;
      const isImage = mediaType === null ? item instanceof Image : mediaType.toLowerCase().startsWith('image/');
      const url = firstHref(item.url);
      if (!isImage || url === null) continue;
      pictures.push({ url, mediaType, alt: item.name?.toString() ?? null });
    }
  } catch {
    // An attachment that cannot be read is no reason to lose the notice or the pictures before it.
  }
  return pictures;
}
