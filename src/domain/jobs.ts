// Names of the background jobs the domain enqueues.

/** Put a new notice on its author's subscribers' home timelines. */
export const NOTICE_FANOUT_JOB = 'notice.fanout';

/** Keep every home timeline at its cap (runs on a schedule). */
export const HOME_TRIM_JOB = 'home.trim';

/** Send a new local notice to the servers of its author's remote subscribers (protocol-neutral). */
export const NOTICE_DISTRIBUTE_JOB = 'notice.distribute';

/** Tell the servers of a deleted local notice's remote subscribers that it is gone (protocol-neutral; data: noticeId, authorId, and for a repeat repeatOf, the id of the notice it repeated). */
export const NOTICE_RETRACT_JOB = 'notice.retract';

/** Tell a remote profile's server that a local user stopped subscribing (protocol-neutral; data: subscriberId, subscribedId). */
export const SUBSCRIPTION_END_JOB = 'subscription.end';

/** Send a local profile's changed fields to the servers of its remote subscribers (protocol-neutral). */
export const PROFILE_DISTRIBUTE_JOB = 'profile.distribute';

/** Fetch a remote profile's avatar and store our own copy (data: profileId and the avatar URL it was queued for). */
export const REMOTE_AVATAR_FETCH_JOB = 'profile.avatar.fetch';

/** Forget old notice deletions that feed validators no longer need (runs on a schedule). */
export const FEED_DELETIONS_PRUNE_JOB = 'feeds.prune-deletions';

/** Delete sign-in attempt counters whose window has ended (runs on a schedule). */
export const LOGIN_ATTEMPTS_PRUNE_JOB = 'login-attempts.prune';

/** Email a confirmation link to the address a user gave (data: userId and the address). */
export const EMAIL_CONFIRM_JOB = 'email.confirm-address';

/** Email a password-recovery link to a user's confirmed address (data: userId). */
export const EMAIL_RECOVER_JOB = 'email.recover-password';

/** Tell a user by email that someone subscribed to them (data: userId, subscriberId). */
export const EMAIL_NOTIFY_SUBSCRIBER_JOB = 'email.notify-subscriber';

/** Tell a user by email that a notice mentions or answers them (data: userId, noticeId). */
export const EMAIL_NOTIFY_MENTION_JOB = 'email.notify-mention';

/** Copy a remote notice's picture to our own storage (data: attachmentId). */
export const REMOTE_PICTURE_FETCH_JOB = 'notice.picture.fetch';

/** Remove the files and rows of pictures whose notice was deleted (runs on a schedule; deleting a notice here removes its files at once). */
export const PICTURES_PRUNE_JOB = 'notice.pictures.prune';

/** Send a local user's direct message to a recipient on another server (protocol-neutral; data: messageId). */
export const MESSAGE_DISTRIBUTE_JOB = 'message.distribute';

/** Tell a user by email that someone sent them a direct message (data: userId, messageId). */
export const EMAIL_NOTIFY_MESSAGE_JOB = 'email.notify-message';

/** Tell a remote profile's server that a local user blocks them, or no longer does (protocol-neutral; data: blockerId, blockedId, undo). */
export const BLOCK_DISTRIBUTE_JOB = 'block.distribute';

/** Tell the servers of a deleted local account's remote subscribers that it is gone (protocol-neutral; data: profileId, nickname, subscriberIds). */
export const ACCOUNT_DELETE_JOB = 'account.delete';

/** Send a report on to the server of the remote person it is about (protocol-neutral; data: reportId). */
export const REPORT_FORWARD_JOB = 'report.forward';
/** Tell a user by email that someone favorited their notice (data: userId, profileId of who, noticeId). */
export const EMAIL_NOTIFY_FAVORITE_JOB = 'email.notify-favorite';

/** Tell the server of a remote notice's author that a local user favorited it (protocol-neutral; data: favoriteId, profileId, noticeId). */
export const FAVORITE_DISTRIBUTE_JOB = 'favorite.distribute';

/** Tell the server of a remote notice's author that a local user took back a favorite (protocol-neutral; data as favorite.distribute's). */
export const FAVORITE_RETRACT_JOB = 'favorite.retract';

/** Send one chat message to a Jabber address: a confirmation link, a notice, or an answer (data: kind, jid, queuedAt and what the kind needs). */
export const IM_SEND_JOB = 'im.send';
