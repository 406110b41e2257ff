import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { routeTable } from '../../web/routes';
import { recentEvents } from '../audit-trail';
import { organizationSummary } from '../organizations';
import * as q from './queries';
import { reviewerTodo } from '../reviews';
import { floorStatus as fundsFloorStatus } from '../funds';
import { shanghaiYear } from '../../shared/time';
import { evaluationDashboard } from '../evaluations';

/** Each role lands here and sees its own page: who they are, what they look after, what to do next. */
export function dashboardRoutes(deps: AppDeps) {
  async function show(req: Request, res: Response) {
    const user = req.user!;
    const data: Record<string, unknown> = {};
    switch (user.role) {
      case 'admin':
        [data.usersByRole, data.organizationsByStatus, data.recentEvents] = await Promise.all([
          q.usersByRole(deps.db),
          q.organizationsByStatus(deps.db),
          recentEvents(deps.db, null, 5, deps.clock.now()),
        ]);
        break;
      case 'manager':
      case 'approver':
        data.colleagues = await q.streetColleagues(deps.db, user);
        if (user.role === 'manager' && user.streetOfficeId) data.funds = await fundsFloorStatus(deps.db, user.streetOfficeId, shanghaiYear(deps.clock.now()));
        break;
      case 'auditor':
        [data.streets, data.recentEvents] = await Promise.all([q.streetNames(deps.db, user.streetOfficeIds), recentEvents(deps.db, user.streetOfficeIds, 5, deps.clock.now())]);
        break;
      case 'org_staff':
        data.organization = user.organizationId ? await organizationSummary(deps.db, user.organizationId) : null;
        break;
      case 'reviewer':
        data.reviews = await reviewerTodo(deps.db, user.id);
        break;
    }
    // Overdue milestones and reports waiting for evaluation (managers, auditors, organization staff).
    data.evaluations = await evaluationDashboard(deps, user);
    res.render(`dashboard/${user.role}`, { title: req.t('dashboard.title'), ...data });
  }
  return routeTable([{ method: 'get', path: '/dashboard', access: 'signedIn', handler: show }]);
}
