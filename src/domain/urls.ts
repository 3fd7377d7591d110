// Absolute URLs of local pages, all built from PUBLIC_URL.

/** URL of a local profile page. */
export function profileUrl(publicUrl: string, nickname: string): string {
  return `${publicUrl}/${nickname}`;
}

/** URL of a tag's page. */
export function tagUrl(publicUrl: string, tag: string): string {
  return `${publicUrl}/tag/${encodeURIComponent(tag)}`;
}

/** Permalink of a local notice. */
export function noticeUrl(publicUrl: string, id: number): string {
  return `${publicUrl}/notice/${id}`;
}

/** Page of a direct message (seen only by its sender and recipient); also the id of a local one's Note. */
export function messageUrl(publicUrl: string, id: number): string {
  return `${publicUrl}/message/${id}`;
}

/** URL of a conversation page. */
export function conversationUrl(publicUrl: string, conversationId: number): string {
  return `${publicUrl}/conversation/${conversationId}`;
}

/** Permanent identifier URL of a local user (StatusNet's form, /user/<id>); it redirects to the profile. */
export function userIdentifierUrl(publicUrl: string, id: number): string {
  return `${publicUrl}/user/${id}`;
}

/** Path of a stored avatar; the key in the query changes with the picture, so it may be cached for ever. */
export function avatarPath(owner: { id: number; nickname: string; isLocal: boolean }, key: string, size: number): string {
  const base = owner.isLocal ? `/${owner.nickname}` : `/remote/${owner.id}`;
  return `${base}/avatar/${size}?v=${key}`;
}

/** Path of the picture shown for someone without an avatar. */
export function defaultAvatarPath(size: number): string {
  return `/images/default-avatar-${size}.png`;
}

/** URL of the page that shows one picture of a notice at its full size, with its description. */
export function attachmentPageUrl(publicUrl: string, id: number): string {
  return `${publicUrl}/attachment/${id}`;
}

/** Path of a stored picture file; its name holds the random key, so it never changes content. */
export function pictureFileUrlPath(fileName: string): string {
  return `/attachments/${fileName}`;
}
