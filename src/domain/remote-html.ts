// HTML from other servers (ActivityPub notes) cut down to a small allow-list before it is stored:
// paragraphs, line breaks, http(s) links marked as user content, and the spans Mastodon-style
// servers put around mentions and hashtags. Everything else is unwrapped to its text; script and
// style go with their content.
// sanitize-html (and the CSS parser it brings) is loaded by the first remote HTML: a web process
// that only serves pages never needs it.
import { createRequire } from 'node:module';
import type sanitizeHtml from 'sanitize-html';

const require = createRequire(import.meta.url);
let library: typeof sanitizeHtml | undefined;
const sanitizer = (): typeof sanitizeHtml => (library ??= require('sanitize-html') as typeof sanitizeHtml);

const LINK_REL = 'nofollow noopener ugc';

// Classes that mark mentions and hashtags (microformats h-card/u-url, Mastodon's mention/hashtag).
const SPAN_CLASSES = ['h-card', 'u-url', 'mention', 'hashtag'];

function isAbsoluteHttp(href: string): boolean {
  return /^https?:\/\/[^\s]/i.test(href.trim());
}

const ALLOW_LIST: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'a', 'span'],
  allowedAttributes: { a: ['href', 'rel'], span: ['class'] },
  allowedClasses: { span: SPAN_CLASSES },
  allowedSchemes: ['http', 'https'],
  allowedSchemesByTag: {},
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'template', 'title', 'head'],
  transformTags: {
    // Our rel replaces theirs; a link to anything but an absolute http(s) URL keeps only its text.
    a: (tagName, attribs): sanitizeHtml.Tag => {
      const href = attribs.href;
      return href !== undefined && isAbsoluteHttp(href) ? { tagName, attribs: { href, rel: LINK_REL } } : { tagName: 'span', attribs: {} };
    },
  },
};

const NO_TAGS: sanitizeHtml.IOptions = { allowedTags: [], allowedAttributes: {}, nonTextTags: ALLOW_LIST.nonTextTags };

/** Remote HTML with only the allow-listed tags, attributes and http(s) links left. */
export function sanitizeRemoteHtml(html: string): string {
  return sanitizer()(html, ALLOW_LIST).trim();
}

// sanitize-html escapes exactly these in the text it writes.
function decodeEscapes(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}

/** The plain text of sanitized HTML, for search, feeds and length checks: breaks and paragraphs as line breaks. */
export function remoteHtmlText(sanitized: string): string {
  const broken = sanitized
    .replace(/\s*\n\s*/g, ' ')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p>/gi, '\n\n');
  return decodeEscapes(sanitizer()(broken, NO_TAGS)).replace(/[ \t]+\n/g, '\n').trim();
}
