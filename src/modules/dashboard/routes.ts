import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { routeTable } from '../../web/routes';
import { recentEvents, describeEvents } from '../audit-trail';
import { organizationSummary } from '../organizations';
import * as q from './queries';
import {
  adminQueue,
  auditorQueue,
  evaluationItems,
  managerQueue,
  organizationQueue,
  paymentItems,
  reviewerQueue,
  CHANGES_DAYS,
  QUEUE_SHOWN,
  type QueueItem,
} from './queues';
import { paymentDashboard } from '../payments';
import { reviewerTodo } from '../reviews';
import { floorStatus as fundsFloorStatus } from '../funds';
import { shanghaiYear } from '../../shared/time';
import { evaluationDashboard } from '../evaluations';

/** Each role lands here and sees its own page: who they are, what they look after, what to do next. */
export function dashboardRoutes(deps: AppDeps) {
  async function show(req: Request, res: Response) {
    const user = req.user!;
    const now = deps.clock.now();
    const data: Record<string, unknown> & { queue: QueueItem[] } = { queue: [] };
    switch (user.role) {
      case 'admin':
        [data.usersByRole, data.organizationsByStatus, data.recentEvents, data.queue] = await Promise.all([
          q.usersByRole(deps.db),
          q.organizationsByStatus(deps.db),
          recentEvents(deps.db, null, 5, now),
          adminQueue(deps.db),
        ]);
        break;
      case 'manager':
      case 'approver':
        data.colleagues = await q.streetColleagues(deps.db, user);
        {
          const [own, payments] = await Promise.all([
            user.role === 'manager' ? managerQueue(deps.db, user, now) : [],
            paymentDashboard(deps, user),
          ]);
          data.queue = [...paymentItems(payments), ...own];
        }
        if (user.role === 'manager' && user.streetOfficeId)
          data.funds = await fundsFloorStatus(deps.db, user.streetOfficeId, shanghaiYear(now));
        break;
      case 'auditor':
        [data.streets, data.changes] = await Promise.all([
          q.streetNames(deps.db, user.streetOfficeIds),
          auditorQueue(deps.db, user, now, req.t, req.lang),
        ]);
        data.changesDays = CHANGES_DAYS;
        break;
      case 'org_staff':
        [data.organization, data.queue] = await Promise.all([
          user.organizationId ? organizationSummary(deps.db, user.organizationId) : null,
          organizationQueue(deps.db, user, now),
        ]);
        break;
      case 'reviewer':
        [data.reviews, data.queue] = await Promise.all([reviewerTodo(deps.db, user.id), reviewerQueue(deps.db, user)]);
        break;
    }
    // The recent events read as sentences with names, as on the audit trail.
    if (Array.isArray(data.recentEvents))
      data.recentEvents = await describeEvents(deps.db, data.recentEvents, user, req.t, req.lang);
    // Overdue milestones and reports waiting for evaluation (managers, auditors, organization staff).
    data.evaluations = await evaluationDashboard(deps, user);
    // What the evaluations ask of this user joins the queue, in its order.
    const queue = [
      ...data.queue,
      ...evaluationItems(data.evaluations as Awaited<ReturnType<typeof evaluationDashboard>>, user.role),
    ].sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : 0));
    // The oldest QUEUE_SHOWN: a work queue, not a register (the lists hold the rest), and a page
    // whose size does not grow with the street's history.
    data.queue = queue.slice(0, QUEUE_SHOWN);
    res.render(`dashboard/${user.role}`, {
      title: req.t('dashboard.title'),
      ...data,
      queueMore: queue.length > QUEUE_SHOWN ? QUEUE_SHOWN : 0,
    });
  }
  return routeTable([{ method: 'get', path: '/dashboard', access: 'signedIn', handler: show }]);
}
