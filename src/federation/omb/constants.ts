// The exact strings of OpenMicroBlogging 0.1 and the OAuth discovery types it uses.

/** Value of every omb_version parameter, and the OMB discovery service type. */
export const OMB_VERSION = 'http://openmicroblogging.org/protocol/0.1';
/** Service type of the postNotice endpoint. */
export const OMB_POST_NOTICE = 'http://openmicroblogging.org/protocol/0.1/postNotice';
/** Service type of the updateProfile endpoint. */
export const OMB_UPDATE_PROFILE = 'http://openmicroblogging.org/protocol/0.1/updateProfile';
/** Service type of the OAuth discovery pointer. */
export const OAUTH_DISCOVERY = 'http://oauth.net/discovery/1.0';
/** Endpoint and parameter types of OAuth Core 1.0. */
export const OAUTH_REQUEST = 'http://oauth.net/core/1.0/endpoint/request';
export const OAUTH_AUTHORIZE = 'http://oauth.net/core/1.0/endpoint/authorize';
export const OAUTH_ACCESS = 'http://oauth.net/core/1.0/endpoint/access';
export const OAUTH_RESOURCE = 'http://oauth.net/core/1.0/endpoint/resource';
export const OAUTH_AUTH_HEADER = 'http://oauth.net/core/1.0/parameters/auth-header';
export const OAUTH_POST_BODY = 'http://oauth.net/core/1.0/parameters/post-body';
export const OAUTH_HMAC_SHA1 = 'http://oauth.net/core/1.0/signature/HMAC-SHA1';
/** XRDS namespaces and the XRDS-Simple type. */
export const XRDS_NS = 'xri://$xrds';
export const XRD_NS = 'xri://$xrd*($v*2.0)';
export const XRDS_SIMPLE_TYPE = 'xri://$xrds*simple';
export const XRDS_SIMPLE_NS = 'http://xrds-simple.net/core/1.0';
/** Media type of XRDS documents. */
export const XRDS_MEDIA_TYPE = 'application/xrds+xml';
/** The license every Laconica/StatusNet peer accepts (exact bytes: http, trailing slash). */
export const DEFAULT_LICENSE = 'http://creativecommons.org/licenses/by/3.0/';
/** The exact body of a successful postNotice or updateProfile answer. */
export const OMB_SUCCESS_BODY = `omb_version=${OMB_VERSION}`;

/** Paths of our OMB endpoints (published in XRDS documents: they must never change). */
export const OMB_PATHS = {
  requestToken: '/omb/requesttoken',
  authorize: '/omb/userauthorization',
  accessToken: '/omb/accesstoken',
  postNotice: '/omb/postnotice',
  updateProfile: '/omb/updateprofile',
  finishSubscribe: '/omb/finishremotesubscribe',
} as const;
