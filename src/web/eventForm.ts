import type { ClientEventType } from '../workflow/types';
import { dateFrom } from './forms';

const number = (v: unknown) => (v === undefined || v === '' ? undefined : Number(v));

/** The version of the review a page's form was drawn from, when it sent one as a form sends it. */
export const expectedVersionOf = (body: Record<string, unknown>) =>
  /^\d{1,9}$/.test(String(body.expectedVersion ?? '')) ? Number(body.expectedVersion) : undefined;

/**
 * Turns a submitted form into the payload of a lifecycle event. Values are only
 * reshaped (numbers, dates); checking them is the service's job, as for the API.
 */
export function eventFromForm(body: Record<string, unknown>): Record<string, unknown> {
  const type = String(body.type ?? '') as ClientEventType;
  const payload: Record<string, unknown> = { type, expectedVersion: number(body.expectedVersion) };
  switch (type) {
    case 'SCHEDULE':
      payload.meetingId = number(body.meetingId);
      break;
    case 'RESPOND_TO_ITEM':
      Object.assign(payload, {
        itemId: number(body.itemId),
        response: body.response ?? '',
        reportReference: body.reportReference || null,
      });
      break;
    case 'ACCEPT_ITEM':
      payload.itemId = number(body.itemId);
      break;
    case 'REMOVE_DOCUMENT':
      payload.documentId = number(body.documentId);
      break;
    case 'RETURN_ITEM':
      Object.assign(payload, { itemId: number(body.itemId), reason: body.reason ?? '' });
      break;
    case 'RECORD_PUBLICATION':
      Object.assign(payload, { url: body.url ?? '', publishedOn: dateFrom(body, 'publishedOn') });
      break;
    case 'PAUSE':
      Object.assign(payload, {
        category: body.category || undefined,
        reason: body.reason ?? '',
        shareReason: body.shareReason === 'yes',
      });
      break;
    case 'WITHDRAW':
    case 'REINSTATE':
      payload.reason = body.reason ?? '';
      break;
    default:
      break;
  }
  return payload;
}
