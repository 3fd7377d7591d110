// A local user's own profile fields: validated against the limits OMB peers accept (reference §3.2),
// saved, and sent on to remote subscribers.
import { ValidationError } from '../errors.ts';
import { updateLocalProfileFields } from '../db/profiles.ts';
import type { LocalProfileFields } from '../db/profiles.ts';
import type { DomainContext } from './context.ts';
import { profileChanged } from './profile-changes.ts';
import { hasControlCharacters } from './text-rules.ts';

export type ProfileInput = { fullname: string; bio: string; location: string; homepage: string };

/** Longest full name, location and homepage, in UTF-8 bytes. */
export const PROFILE_TEXT_MAX_BYTES = 255;
/** Longest bio, in code points. */
export const BIO_MAX_CHARACTERS = 140;

// Line breaks are allowed in a bio only; other control characters nowhere.
const LINE_BREAK = /[\r\n]/;

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function homepageProblem(homepage: string): string | undefined {
  if (bytes(homepage) > PROFILE_TEXT_MAX_BYTES) return `The homepage can be at most ${PROFILE_TEXT_MAX_BYTES} bytes long.`;
  let url: URL | undefined;
  try {
    url = /\s/.test(homepage) ? undefined : new URL(homepage);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    return 'The homepage must be a web address starting with http:// or https://.';
  }
  return undefined;
}

function lineProblem(label: string, value: string): string | undefined {
  if (hasControlCharacters(value) || LINE_BREAK.test(value)) return `The ${label} cannot contain line breaks or control characters.`;
  if (bytes(value) > PROFILE_TEXT_MAX_BYTES) return `The ${label} can be at most ${PROFILE_TEXT_MAX_BYTES} bytes long (some letters take more than one byte).`;
  return undefined;
}

/** The cleaned fields, or ValidationError naming each faulty field. */
export function checkProfileInput(input: ProfileInput): LocalProfileFields {
  const fullname = input.fullname.trim();
  const bio = input.bio.replace(/\r\n?/g, '\n').trim();
  const location = input.location.trim();
  const homepage = input.homepage.trim();
  const problems: Record<string, string> = {};
  const fullnameError = lineProblem('full name', fullname);
  if (fullnameError) problems.fullname = fullnameError;
  if (hasControlCharacters(bio)) problems.bio = 'The bio cannot contain control characters.';
  else if ([...bio].length > BIO_MAX_CHARACTERS) problems.bio = `The bio can be at most ${BIO_MAX_CHARACTERS} characters long; it has ${[...bio].length}.`;
  const locationError = lineProblem('location', location);
  if (locationError) problems.location = locationError;
  const homepageError = homepage === '' ? undefined : homepageProblem(homepage);
  if (homepageError) problems.homepage = homepageError;
  if (Object.keys(problems).length > 0) throw new ValidationError(problems);
  return { fullname: fullname || null, bio: bio || null, location: location || null, homepage: homepage || null };
}

/** Saves a local user's profile fields and queues their distribution to remote subscribers. */
export async function saveProfile(ctx: DomainContext, userId: number, input: ProfileInput): Promise<LocalProfileFields> {
  const fields = checkProfileInput(input);
  await ctx.db.transaction(async (trx) => {
    await updateLocalProfileFields(trx, userId, fields);
    await profileChanged(ctx, trx, userId);
  });
  return fields;
}
