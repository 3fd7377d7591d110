// The feeds a page offers: <link rel="alternate"> in its head and visible links on it.

export type FeedLink = { type: string; href: string; label: string; title: string };

/** RSS and Atom links for the feeds under a page path ("" for the public timeline), with an optional search. */
export function feedLinks(path: string, title: string, query: Record<string, string> = {}): FeedLink[] {
  const search = Object.keys(query).length > 0 ? `?${new URLSearchParams(query).toString()}` : '';
  return [
    { type: 'application/rss+xml', href: `${path}/rss${search}`, label: 'RSS', title },
    { type: 'application/atom+xml', href: `${path}/atom${search}`, label: 'Atom', title },
  ];
}
