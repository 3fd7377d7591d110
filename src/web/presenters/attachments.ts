// Attachment records -> what notices and picture pages show. Remote pictures are only ever shown
// from our own copy; until it exists (or when it cannot be made) they are a link to their server.
import type { AttachmentRecord } from '../../domain/attachment-pages.ts';
import { pictureFileName } from '../../domain/attachment-files.ts';
import { pictureFileUrlPath } from '../../domain/urls.ts';
import { escapeHtml } from '../../domain/notice-text.ts';

export type PictureFile = { url: string; width: number; height: number };

export type AttachmentView = {
  id: number;
  /** The picture's own page (/attachment/:id). */
  pageUrl: string;
  /** Its description, or a stand-in naming it when its author wrote none. */
  alt: string;
  /** Whether its author described it. */
  described: boolean;
  /** Our copy, when we have one. */
  thumbnail: PictureFile | undefined;
  original: PictureFile | undefined;
  /** Its server's address while we have no copy (http(s) only, checked when stored). */
  remoteUrl: string | undefined;
  /** Why there is no copy: still being copied, or it could not be. */
  missing: 'pending' | 'failed' | undefined;
};

/** The view of one picture of a notice that has `count` of them. */
export function attachmentView(attachment: AttachmentRecord, number: number, count: number): AttachmentView {
  const ready = attachment.state === 'ready' && attachment.fileKey !== null;
  const file = (variant: 'original' | 'thumbnail', width: number | null, height: number | null): PictureFile | undefined =>
    ready && width && height ? { url: pictureFileUrlPath(pictureFileName(attachment.fileKey!, attachment.mediaType, variant)), width, height } : undefined;
  const described = attachment.alt !== '';
  return {
    id: attachment.id,
    pageUrl: `/attachment/${attachment.id}`,
    alt: described ? attachment.alt : count > 1 ? `Picture ${number} of ${count}, not described by its author` : 'Picture not described by its author',
    described,
    thumbnail: file('thumbnail', attachment.thumbWidth, attachment.thumbHeight),
    original: file('original', attachment.width, attachment.height),
    remoteUrl: ready ? undefined : (attachment.remoteUrl ?? undefined),
    missing: ready ? undefined : attachment.state === 'failed' ? 'failed' : 'pending',
  };
}

/** The views of a notice's pictures, in order. */
export function attachmentViews(attachments: readonly AttachmentRecord[]): AttachmentView[] {
  return attachments.map((attachment, index) => attachmentView(attachment, index + 1, attachments.length));
}

/** A notice's pictures as HTML for feed readers: absolute thumbnails linking to their pages, or links for those not copied; '' for none. */
export function picturesHtml(publicUrl: string, attachments: readonly AttachmentRecord[]): string {
  const items = attachmentViews(attachments).map((picture) => {
    if (picture.thumbnail) {
      const image = `<img src="${escapeHtml(publicUrl + picture.thumbnail.url)}" width="${picture.thumbnail.width}" height="${picture.thumbnail.height}" alt="${escapeHtml(picture.alt)}">`;
      return `<a href="${escapeHtml(publicUrl + picture.pageUrl)}">${image}</a>`;
    }
    return picture.remoteUrl ? `<a href="${escapeHtml(picture.remoteUrl)}" rel="nofollow noopener ugc">${escapeHtml(picture.alt)}</a>` : '';
  });
  return items.length > 0 ? `<p>${items.join(' ')}</p>` : '';
}
