import type { RequestHandler } from 'express';
import type { AppDeps } from '../../deps';
import { csrfAfterUpload } from '../../web/csrf';
import { routeTable } from '../../web/routes';
import { profileHandlers } from './profile';
import { registrationHandlers } from './registration';
import { registryHandlers } from './registry';
import { reviewHandlers } from './review';
import { staffHandlers } from './staff';

type AcceptFiles = (fields: { name: string; maxCount: number }[]) => RequestHandler;

/** The organization registry: public registration and registry, the organization's own pages,
 *  the administrator's review. Access here is the floor; each handler checks the policy on the record. */
export function organizationRoutes(deps: AppDeps, acceptFiles: AcceptFiles) {
  const registration = registrationHandlers(deps);
  const registry = registryHandlers(deps);
  const own = profileHandlers(deps);
  const review = reviewHandlers(deps);
  const colleagues = staffHandlers(deps);
  const viewers = ['org_staff', 'admin', 'auditor', 'manager'] as const;
  const admin = ['admin'] as const;
  const staff = ['org_staff'] as const;

  return routeTable([
    { method: 'get', path: '/registry', access: 'public', handler: registry.list },
    { method: 'get', path: '/registry/:id', access: 'public', handler: registry.profile },
    { method: 'get', path: '/organizations/new', access: 'public', handler: registration.form },
    { method: 'post', path: '/organizations', access: 'public', handler: registration.create },

    { method: 'get', path: '/my/organization', access: staff, handler: own.mine },
    { method: 'get', path: '/my/organization/staff', access: staff, handler: colleagues.list },
    { method: 'post', path: '/my/organization/invitations', access: staff, handler: colleagues.create },
    { method: 'post', path: '/my/organization/staff/:userId/disabling', access: staff, handler: colleagues.disable },
    {
      method: 'post',
      path: '/my/organization/invitations/:invitationId/revocation',
      access: staff,
      handler: colleagues.revoke,
    },
    { method: 'get', path: '/invitations/:token', access: 'public', handler: colleagues.acceptForm },
    { method: 'post', path: '/invitations/:token', access: 'public', handler: colleagues.accept },
    { method: 'get', path: '/organizations/:id', access: viewers, handler: own.show },
    { method: 'get', path: '/organizations/:id/edit', access: staff, handler: own.editForm },
    { method: 'post', path: '/organizations/:id', access: staff, handler: own.update },
    { method: 'post', path: '/organizations/:id/resubmission', access: staff, handler: own.resubmit },
    {
      method: 'post',
      path: '/organizations/:id/documents',
      access: staff,
      handler: [acceptFiles([{ name: 'file', maxCount: 1 }]), csrfAfterUpload, own.upload],
    },
    { method: 'get', path: '/organizations/:id/documents/:documentId', access: viewers, handler: own.download },

    { method: 'get', path: '/admin/organizations', access: admin, handler: review.queue },
    { method: 'post', path: '/organizations/:id/approval', access: admin, handler: review.approve },
    { method: 'post', path: '/organizations/:id/rejection', access: admin, handler: review.reject },
    { method: 'post', path: '/organizations/:id/suspension', access: admin, handler: review.suspend },
    { method: 'post', path: '/organizations/:id/reinstatement', access: admin, handler: review.reinstate },
  ]);
}
