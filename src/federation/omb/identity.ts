// Our own OMB URLs, all built from PUBLIC_URL: identifiers, endpoints and the consumer key.
import type { Config } from '../../config.ts';
import { profileUrl, userIdentifierUrl } from '../../domain/urls.ts';
import { OMB_PATHS } from './constants.ts';
import type { OmbServices } from './xrds.ts';

/** Identifier URI of a local user (StatusNet's form: /user/<id>); it never changes. */
export function userUri(config: Config, id: number): string {
  return userIdentifierUrl(config.publicUrl, id);
}

/** The local user id an identifier URI names, or undefined when it is not one of ours. */
export function localUserIdOf(config: Config, uri: string): number | undefined {
  const prefix = `${config.publicUrl}/user/`;
  if (!uri.startsWith(prefix)) return undefined;
  const rest = uri.slice(prefix.length);
  return /^[1-9]\d{0,15}$/.test(rest) ? Number(rest) : undefined;
}

/** Our consumer key: the root URL with a trailing slash, as StatusNet's; it must never change. */
export function consumerKeyOf(config: Config): string {
  return `${config.publicUrl}/`;
}

/** Absolute URL of one of our OMB endpoints. */
export function endpointUrl(config: Config, path: string): string {
  return `${config.publicUrl}${path}`;
}

/** URL of a local user's XRDS document. */
export function xrdsUrl(config: Config, nickname: string): string {
  return `${profileUrl(config.publicUrl, nickname)}/xrds`;
}

/** What a local user's XRDS document publishes. */
export function localServices(config: Config, userId: number): OmbServices {
  return {
    requestToken: endpointUrl(config, OMB_PATHS.requestToken),
    authorize: endpointUrl(config, OMB_PATHS.authorize),
    accessToken: endpointUrl(config, OMB_PATHS.accessToken),
    postNotice: endpointUrl(config, OMB_PATHS.postNotice),
    updateProfile: endpointUrl(config, OMB_PATHS.updateProfile),
    localId: userUri(config, userId),
  };
}
