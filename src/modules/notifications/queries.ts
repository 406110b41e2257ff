import type { Queryable } from '../../db/knex';
import { DEFAULT_PAGE_SIZE, makePage, type Page } from '../../shared/pagination';

export interface NotificationRow {
  id: number;
  user_id: number;
  kind: string;
  message_key: string;
  params_json: string;
  link: string;
  subject_type: string | null;
  subject_id: string | null;
  created_at: string;
  read_at: string | null;
}

/** One user's notifications, newest first by the time they were sent (index (user_id, created_at, id));
 *  the total from the (user_id, id) index.
 *  Plain query-builder calls, so they compile the same on SQLite and PostgreSQL. */
export async function listForUser(
  db: Queryable,
  userId: number,
  page: number,
  pageSize = DEFAULT_PAGE_SIZE,
): Promise<Page<NotificationRow>> {
  const [items, total] = await Promise.all([
    db<NotificationRow>('notifications')
      .where({ user_id: userId })
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(pageSize)
      .offset((page - 1) * pageSize),
    db('notifications').where({ user_id: userId }).count({ n: '*' }).first(),
  ]);
  return makePage(items, Number(total?.n ?? 0), page, pageSize);
}

/** The header's count, stopping at `cap` rows: however many unread notifications pile up, the
 *  header reads at most `cap` index entries (it shows "99+" beyond 99). */
export async function unreadCountUpTo(db: Queryable, userId: number, cap = 100): Promise<number> {
  const unread = db('notifications')
    .where({ user_id: userId })
    .whereNull('read_at')
    .select('id')
    .limit(cap)
    .as('unread');
  const row = await db.from(unread).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}
