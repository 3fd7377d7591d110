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

/** URL of a conversation page. */
export function conversationUrl(publicUrl: string, conversationId: number): string {
  return `${publicUrl}/conversation/${conversationId}`;
}
