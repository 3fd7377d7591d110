// Moderation records -> what the admin pages show.
import type { Registrant, LogEntry } from '../../domain/moderation.ts';
import type { ReportRecord } from '../../domain/reports.ts';
import { CLOSE_ACTIONS, REPORT_REASONS } from '../../domain/reports.ts';
import type { InviteRecord } from '../../domain/invites.ts';
import { inviteState } from '../../domain/invites.ts';

/** A date as "2026-12-06 19:35 UTC". */
export function utcText(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A report as the admin pages list it. */
export function reportView(report: ReportRecord) {
  return {
    id: report.id,
    url: `/admin/reports/${report.id}`,
    reporter: report.origin ? `${report.reporterName ? `${report.reporterName}, ` : ''}via ${report.origin}` : (report.reporterName ?? '(deleted account)'),
    origin: report.origin,
    forwarded: report.forwardedAt ? utcText(report.forwardedAt) : undefined,
    target: report.targetName,
    targetUrl: report.targetIsLocal ? `/${report.targetName}` : `/remote/${report.targetId}`,
    targetIsLocal: report.targetIsLocal,
    moderateUrl: report.targetIsLocal ? `/admin/people/${encodeURIComponent(report.targetName)}` : `/admin/remote/${report.targetId}`,
    noticeId: report.noticeId,
    noticeContent: report.noticeContent,
    reason: REPORT_REASONS[report.reason as keyof typeof REPORT_REASONS] ?? report.reason,
    comment: report.comment,
    created: utcText(report.createdAt),
    closed: report.closedAt ? utcText(report.closedAt) : undefined,
    closedBy: report.closedByName,
    action: report.action ? (CLOSE_ACTIONS[report.action as keyof typeof CLOSE_ACTIONS] ?? report.action) : undefined,
  };
}

/** An account as the registrations page lists it. */
export function registrantView(person: Registrant) {
  const state = person.suspended ? 'suspended' : person.silenced ? 'silenced' : person.approved ? 'active' : 'waiting for approval';
  return { ...person, created: utcText(person.createdAt), state, url: `/admin/people/${encodeURIComponent(person.nickname)}` };
}

/** An audit log entry. */
export function logEntryView(entry: LogEntry) {
  return { ...entry, created: utcText(entry.createdAt) };
}

/** An invite with its link and state. */
export function inviteView(publicUrl: string, invite: InviteRecord) {
  return { ...invite, link: `${publicUrl}/main/register/${invite.code}`, state: inviteState(invite), created: utcText(invite.createdAt), expires: utcText(invite.expiresAt) };
}
