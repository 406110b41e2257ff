import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { NotFound, ValidationFailed } from '../../web/errors';
import { idParam } from '../../web/path-id';
import { flash } from '../../web/flash';
import { parseForm } from '../../web/forms';
import { safeLocalPath } from '../../web/redirect';
import { routeTable } from '../../web/routes';
import { pageNumber } from '../../shared/pagination';
import { listForUser, type NotificationRow } from './queries';
import { readAllSchema } from './schemas';
import { isMessageKey, markAllRead, markRead } from './service';

export { unreadCountInHeader } from './header';

/** The tag of a notification: its kind's own label, or else its area's (every contract.* is 合同), so that
 *  every notification carries one. */
function kindLabel(kind: string, t: Request['t']): string | null {
  if (isMessageKey(`notifications.kinds.${kind}`)) return t(`notifications.kinds.${kind}`);
  const area = `notifications.categories.${kind.split('.')[0]}`;
  return isMessageKey(area) ? t(area) : null;
}

function paramsOf(row: NotificationRow): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(row.params_json);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Every signed-in user reads their own notifications; nobody reads anyone else's. Marking read is
 *  not audited (see markRead), but it is a POST, so it is CSRF-checked, and it is owner-checked. */
export function notificationRoutes(deps: AppDeps) {
  async function list(req: Request, res: Response) {
    const page = await listForUser(deps.db, req.user!.id, pageNumber(req.query.page));
    const items = page.items.map((row) => ({
      id: row.id,
      // Translated now, in the reader's language, from the key and parameters the sender stored.
      message: isMessageKey(row.message_key)
        ? req.t(row.message_key, paramsOf(row))
        : req.t('notifications.messages.unknown'),
      kind: kindLabel(row.kind, req.t),
      link: safeLocalPath(row.link, '/notifications'),
      createdAt: row.created_at,
      unread: row.read_at === null,
    }));
    const newestId = page.items.reduce((max, row) => Math.max(max, Number(row.id)), 0);
    res.render('notifications/list', {
      title: req.t('notifications.title'),
      page,
      items,
      newestId,
      anyUnread: items.some((i) => i.unread),
    });
  }

  async function read(req: Request, res: Response) {
    const id = idParam(req);
    if (!id) throw new NotFound();
    const { link } = await markRead(deps.db, req.user!.id, id, deps.clock.now());
    res.redirect(303, safeLocalPath(link, '/notifications'));
  }

  async function readAll(req: Request, res: Response) {
    const form = parseForm(readAllSchema, req.body, req.t);
    // upTo is a hidden field: a tampered value has no form field to show its error on.
    if (!form.ok) throw new ValidationFailed(form.errors);
    const n = await markAllRead(deps.db, req.user!.id, form.data.upTo ?? undefined, deps.clock.now());
    flash(req, 'success', req.t('notifications.markedAllRead', { count: n }));
    res.redirect(303, '/notifications');
  }

  return routeTable([
    { method: 'get', path: '/notifications', access: 'signedIn', handler: list },
    { method: 'post', path: '/notifications/read-all', access: 'signedIn', handler: readAll },
    { method: 'post', path: '/notifications/:id/read', access: 'signedIn', handler: read },
  ]);
}
