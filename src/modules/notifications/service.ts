import type { Queryable } from '../../db/knex';
import { DEFAULT_LANGUAGE, hasKey, translator } from '../../web/i18n';
import { NotFound } from '../../web/errors';

/** What one event tells its readers. `messageKey` is an i18n key (e.g. 'notifications.messages.bidsOpened')
 *  translated with `params` in each reader's own language when shown; `link` is a path on this site. */
export interface NotificationInput {
  kind: string;
  messageKey: string;
  params?: Record<string, string | number>;
  link: string;
  subjectType?: string;
  subjectId?: number | string;
}

/** A programming error in the caller (a bad link, an unknown message key): it fails the caller's
 *  transaction, so a change never commits with a broken notification. */
export class InvalidNotification extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidNotification';
  }
}

/** A path on this site: starts with '/', not '//' or '/\' (which browsers read as another host), no
 *  whitespace or control characters, at most 500 characters. */
export function isLocalPath(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length <= 500 &&
    value.startsWith('/') &&
    !value.startsWith('//') &&
    !value.startsWith('/\\') &&
    ![...value].some((ch) => ch.trim() === '' || ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)
  );
}

/** An i18n key that names a text (not a group of keys) in the default language. */
export function isMessageKey(key: unknown): key is string {
  return (
    typeof key === 'string' &&
    key.length <= 100 &&
    hasKey(key) &&
    typeof translator(DEFAULT_LANGUAGE)(key, { returnObjects: true }) === 'string'
  );
}

function validate(n: NotificationInput): void {
  if (!isLocalPath(n.link))
    throw new InvalidNotification(`notification link must be a local path: ${JSON.stringify(n.link)}`);
  if (typeof n.kind !== 'string' || !/^[a-z][a-z0-9_.]{0,39}$/.test(n.kind))
    throw new InvalidNotification(`bad notification kind: ${JSON.stringify(n.kind)}`);
  if (!isMessageKey(n.messageKey)) {
    throw new InvalidNotification(`notification message key is not in the locales: ${JSON.stringify(n.messageKey)}`);
  }
  for (const [k, v] of Object.entries(n.params ?? {})) {
    if (typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v)))
      throw new InvalidNotification(`notification param ${k} must be text or a number`);
  }
  if (n.subjectType !== undefined && n.subjectType.length > 40)
    throw new InvalidNotification('notification subjectType is longer than 40');
  if (n.subjectId !== undefined && String(n.subjectId).length > 40)
    throw new InvalidNotification('notification subjectId is longer than 40');
}

// Rows per INSERT: 10 columns x 500 rows stays well under SQLite's bound-variable limit.
const ROWS_PER_INSERT = 500;

/**
 * Adds one notification per user, inside the caller's transaction (so it commits or rolls back with
 * the change it announces). One multi-row insert, never one query per user (a list of more than 500
 * users is split into inserts of 500). Duplicate ids are notified once; an empty list writes nothing.
 */
export async function notify(trx: Queryable, userIds: number[], n: NotificationInput, now: Date): Promise<void> {
  validate(n);
  const ids = [...new Set(userIds.map(Number))];
  if (ids.some((id) => !Number.isInteger(id) || id <= 0))
    throw new InvalidNotification(`bad user id in ${JSON.stringify(userIds)}`);
  if (ids.length === 0) return;
  const common = {
    kind: n.kind,
    message_key: n.messageKey,
    params_json: JSON.stringify(n.params ?? {}),
    link: n.link,
    subject_type: n.subjectType ?? null,
    subject_id: n.subjectId === undefined ? null : String(n.subjectId),
    created_at: now.toISOString(),
    read_at: null,
  };
  for (let i = 0; i < ids.length; i += ROWS_PER_INSERT) {
    await trx('notifications').insert(
      ids.slice(i, i + ROWS_PER_INSERT).map((userId) => ({ user_id: userId, ...common })),
    );
  }
}

/** Staff user ids of organizations (for notifying bidders). Disabled accounts are left out. */
export async function staffOf(db: Queryable, organizationIds: number[]): Promise<number[]> {
  const ids = [...new Set(organizationIds.map(Number).filter((id) => Number.isInteger(id) && id > 0))];
  if (ids.length === 0) return [];
  const rows: { id: number }[] = await db('users')
    .whereIn('organization_id', ids)
    .where({ role: 'org_staff' })
    .whereNull('disabled_at')
    .orderBy('id')
    .select('id');
  return rows.map((r) => Number(r.id));
}

/** Active (not disabled) manager user ids of a street office. */
export async function managersOf(db: Queryable, streetOfficeId: number): Promise<number[]> {
  const rows: { id: number }[] = await db('users')
    .where({ street_office_id: streetOfficeId, role: 'manager' })
    .whereNull('disabled_at')
    .orderBy('id')
    .select('id');
  return rows.map((r) => Number(r.id));
}

/** How many of the user's notifications are unread (one COUNT over the (user_id, read_at, id) index). */
export async function unreadCount(db: Queryable, userId: number): Promise<number> {
  const row = await db('notifications').where({ user_id: userId }).whereNull('read_at').count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/**
 * Marks one of the user's own notifications read and returns where it points. Another user's id is a
 * 404, exactly like an id that does not exist. Reading twice keeps the first read time.
 * Not audited: whether someone has opened a message is their own reading state, not a change of
 * record (product.md lists what must be audited), and an audit append locks the chain head, so
 * auditing every click would queue readers behind payments.
 */
export async function markRead(db: Queryable, userId: number, id: number, now: Date): Promise<{ link: string }> {
  const own = await db('notifications').where({ id, user_id: userId }).first('id', 'link');
  if (!own) throw new NotFound();
  await db('notifications').where({ id, user_id: userId }).whereNull('read_at').update({ read_at: now.toISOString() });
  return { link: own.link };
}

/** Marks the user's unread notifications read, only those up to `upToId` when given (the newest one
 *  the user saw), so a notification that arrived after the page was shown stays unread. */
export async function markAllRead(
  db: Queryable,
  userId: number,
  upToId: number | undefined,
  now: Date,
): Promise<number> {
  const q = db('notifications').where({ user_id: userId }).whereNull('read_at');
  if (upToId !== undefined) q.where('id', '<=', upToId);
  return Number(await q.update({ read_at: now.toISOString() }));
}
