import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../deps';
import { actorOf } from '../../web/actor';
import { NotFound } from '../../web/errors';
import { flash } from '../../web/flash';
import { field, parseForm } from '../../web/forms';
import { submitForm } from '../../web/submit';
import { createUserSchema } from '../accounts';
import {
  acceptInvitation,
  disableStaff,
  invite,
  openInvitation,
  revokeInvitation,
  staffOf,
  INVITATION_DAYS,
} from './staff-service';

const inviteSchema = z.object({ displayName: field.text(100) });
const acceptSchema = createUserSchema.pick({ username: true, password: true });

/** An organization's staff: the colleagues' list, invitations (a link the colleague completes with
 *  their own password) and disabling an account. Staff of the organization only. */
export function staffHandlers(deps: AppDeps) {
  async function render(req: Request, res: Response, status = 200, locals: Record<string, unknown> = {}) {
    const user = req.user!;
    if (!user.organizationId) throw new NotFound();
    const { staff, invitations } = await staffOf(deps.db, user.organizationId, deps.clock.now());
    res.status(status).render('organizations/staff', {
      title: req.t('organizations.staff.title'),
      staff,
      invitations,
      link: null,
      errors: {},
      values: {},
      days: INVITATION_DAYS,
      ...locals,
    });
  }

  const list = (req: Request, res: Response) => render(req, res);

  async function create(req: Request, res: Response) {
    if (!req.user!.organizationId) throw new NotFound();
    const form = parseForm(inviteSchema, req.body, req.t);
    if (!form.ok) return render(req, res, 422, { errors: form.errors, values: form.values });
    const { token } = await invite(deps, actorOf(req), req.user!, form.data.displayName);
    // The link is shown once, on this page; only its hash is stored.
    await render(req, res, 201, {
      link: `${req.protocol}://${req.get('host')}/invitations/${token}`,
      invited: form.data.displayName,
    });
  }

  async function disable(req: Request, res: Response) {
    const id = /^\d{1,9}$/.test(String(req.params.userId)) ? Number(req.params.userId) : 0;
    const done = await disableStaff(deps, actorOf(req), req.user!, id);
    flash(req, 'success', req.t('organizations.staff.disabled', { name: done.displayName }));
    if (id === req.user!.id) return res.redirect(303, '/login');
    res.redirect(303, '/my/organization/staff');
  }

  async function revoke(req: Request, res: Response) {
    if (!req.user!.organizationId) throw new NotFound();
    const id = /^\d{1,9}$/.test(String(req.params.invitationId)) ? Number(req.params.invitationId) : 0;
    const done = await revokeInvitation(deps, actorOf(req), req.user!, id);
    flash(req, 'success', req.t('organizations.staff.revoked', { name: done.displayName }));
    res.redirect(303, '/my/organization/staff');
  }

  async function acceptForm(req: Request, res: Response, status = 200, locals: Record<string, unknown> = {}) {
    const invitation = await openInvitation(deps.db, req.params.token, deps.clock.now());
    if (!invitation) throw new NotFound('organizations.staff.invitationGone');
    res.status(status).render('organizations/invitation', {
      title: req.t('organizations.staff.acceptTitle', { organization: invitation.organization_name }),
      invitation,
      token: req.params.token,
      errors: {},
      values: {},
      ...locals,
    });
  }

  async function accept(req: Request, res: Response) {
    await submitForm(req, res, {
      schema: acceptSchema,
      // The username typed is shown again, never the password.
      again: ({ status, errors, values }) =>
        acceptForm(req, res, status, { errors, values: { username: values.username ?? '' } }),
      run: async (data) => {
        const done = await acceptInvitation(deps, actorOf(req), String(req.params.token), data);
        return { redirect: '/login', flash: req.t('organizations.staff.accepted', { username: done.username }) };
      },
    });
  }

  return { list, create, disable, revoke, acceptForm: (req: Request, res: Response) => acceptForm(req, res), accept };
}
