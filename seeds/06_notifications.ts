import type { SeedContext } from '../src/db/seed';
import { notify } from '../src/modules/notifications';

/** A few notifications so that the header shows an unread count on first start: a welcome for every
 *  demo user, a reminder for the staff of organizations not yet approved, and news of a pending organization for the
 *  manager of 东山街道. Links point at pages that exist already. */
export async function seed({ trx, now }: SeedContext): Promise<void> {
  const users: { id: number; username: string; role: string }[] = await trx('users')
    .whereNull('disabled_at')
    .orderBy('id')
    .select('id', 'username', 'role');
  const idOf = (username: string) => users.find((u) => u.username === username)?.id;
  // An hour earlier, so the welcome is listed below the newer notices.
  const earlier = new Date(now.getTime() - 60 * 60 * 1000);
  await notify(
    trx,
    users.map((u) => u.id),
    { kind: 'system', messageKey: 'notifications.messages.welcome', link: '/dashboard' },
    earlier,
  );
  // Only the staff of an organization still to be approved are asked for its documents: an approved one has
  // nothing left to upload for its review (its dashboard says so too).
  const staff: number[] = (
    await trx('users as u')
      .join('organizations as o', 'o.id', 'u.organization_id')
      .where('u.role', 'org_staff')
      .whereNull('u.disabled_at')
      .whereNot('o.status', 'approved')
      .orderBy('u.id')
      .select('u.id')
  ).map((r: { id: number }) => Number(r.id));
  if (staff.length)
    await notify(
      trx,
      staff,
      { kind: 'system', messageKey: 'notifications.messages.uploadDocuments', link: '/my/organization' },
      now,
    );
  const pending = await trx('organizations').where({ status: 'pending' }).orderBy('id').first('id', 'name');
  const manager = idOf('manager.dongshan');
  if (pending && manager) {
    await notify(
      trx,
      [manager],
      {
        kind: 'system',
        messageKey: 'notifications.messages.newOrganization',
        params: { organization: pending.name },
        link: `/organizations/${pending.id}`,
        subjectType: 'organization',
        subjectId: Number(pending.id),
      },
      now,
    );
  }
  // The administrator's welcome is already read, so the list shows both states.
  const admin = idOf('admin');
  if (admin) await trx('notifications').where({ user_id: admin }).update({ read_at: now.toISOString() });
}
