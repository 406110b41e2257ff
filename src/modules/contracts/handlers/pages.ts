import type { Request, Response } from 'express';
import type { AppDeps } from '../../../deps';
import type { SessionUser } from '../../accounts/roles';
import { pageNumber } from '../../../shared/pagination';
import { Forbidden, NotFound } from '../../../web/errors';
import { canManageContract, canReadContract, isPartyB, isSigned } from '../policy';
import { holdingsOf, holdingsOfItems } from '../ports';
import {
  contractEvents,
  contractOrganizations,
  CONTRACT_STATUSES,
  findContract,
  listContracts,
  milestonesOf,
  toMilestone,
  versionsOf,
  type ContractView,
  type Party,
} from '../queries';
import { listFilters, pathId } from '../schemas';
import { signingWindow } from '../window';
import { auditActionLabel } from '../audit-labels';

export interface ShowExtras {
  values?: Record<string, string>;
  errors?: Record<string, string>;
  open?: string;
  formError?: string;
}

/** What each listed contract has been paid, read for the whole page at once (no query per row). */
async function paidOf(
  db: AppDeps['db'],
  items: { id: number; award_item_id: number }[],
): Promise<Record<number, number>> {
  const held = await holdingsOfItems(
    db,
    items.map((c) => Number(c.award_item_id)),
  );
  return Object.fromEntries(
    items.map((c) => [c.id, (held.get(Number(c.award_item_id)) ?? []).reduce((s, h) => s + h.paidFen, 0)]),
  );
}

/** The contract lists (manager, auditor, administrator; the organization's own) and the contract page. */
export function pageHandlers(deps: AppDeps) {
  const paidByContract = (items: { id: number; award_item_id: number }[]) => paidOf(deps.db, items);
  async function list(req: Request, res: Response) {
    const user = req.user!;
    const filters = listFilters(req.query as Record<string, unknown>);
    // Managers: their street office; auditors: their streets; the administrator: every street.
    const streetOfficeIds =
      user.role === 'admin'
        ? undefined
        : user.role === 'manager'
          ? user.streetOfficeId
            ? [user.streetOfficeId]
            : []
          : user.streetOfficeIds;
    const page = await listContracts(deps.db, { streetOfficeIds }, filters, pageNumber(req.query.page));
    const organizations = streetOfficeIds
      ? await contractOrganizations(deps.db, streetOfficeIds)
      : await deps
          .db('organizations')
          .whereIn('id', deps.db('contracts').select('organization_id'))
          .orderBy('name')
          .select('id', 'name');
    const now = deps.clock.now();
    const query = new URLSearchParams(
      Object.entries({
        status: filters.status ?? '',
        year: filters.year ? String(filters.year) : '',
        organization: filters.organizationId ? String(filters.organizationId) : '',
      }).filter(([, v]) => v),
    ).toString();
    res.render('contracts/list', {
      title: req.t('contracts.list.title'),
      page,
      filters,
      statuses: CONTRACT_STATUSES,
      organizations,
      windows: Object.fromEntries(page.items.map((c) => [c.id, signingWindow(c, now)])),
      paid: await paidByContract(page.items),
      query: query ? `${query}&` : '',
      mine: false,
    });
  }

  async function mine(req: Request, res: Response) {
    const user = req.user!;
    if (!user.organizationId) throw new Forbidden();
    const filters = listFilters(req.query as Record<string, unknown>);
    const page = await listContracts(
      deps.db,
      { organizationId: user.organizationId },
      { ...filters, organizationId: undefined },
      pageNumber(req.query.page),
    );
    const now = deps.clock.now();
    res.render('contracts/list', {
      title: req.t('contracts.mine.title'),
      page,
      filters,
      statuses: CONTRACT_STATUSES,
      organizations: [],
      windows: Object.fromEntries(page.items.map((c) => [c.id, signingWindow(c, now)])),
      paid: await paidByContract(page.items),
      query: filters.status ? `status=${filters.status}&` : '',
      mine: true,
    });
  }

  function actionsFor(user: SessionUser, c: ContractView, pendingAmendment: boolean) {
    const manage = canManageContract(user, c);
    const partyB = isPartyB(user, c);
    return {
      canEdit: manage && c.status === 'draft',
      canSend: manage && c.status === 'draft',
      canSign: manage && c.status === 'accepted',
      canAmend: manage && c.status === 'active' && !pendingAmendment,
      canTerminate: manage && c.status === 'active',
      canUploadScan: manage && isSigned(c),
      canAnswer: partyB && c.status === 'sent',
      canDecideAmendment: partyB && c.status === 'active' && pendingAmendment,
      canWithdrawAmendment: manage && c.status === 'active' && pendingAmendment,
    };
  }

  async function showWith(req: Request, res: Response, status: number, extras: ShowExtras = {}) {
    const c = await findContract(deps.db, pathId(req.params.contractId));
    if (!c || !canReadContract(req.user, c)) throw new NotFound();
    const [versions, milestoneRows, events, holdings] = await Promise.all([
      versionsOf(deps.db, c.id),
      milestonesOf(deps.db, c.id),
      contractEvents(deps.db, c.id),
      holdingsOf(deps.db, c.award_item_id),
    ]);
    const current = versions.find((v) => v.status === 'draft' || v.status === 'current')!;
    const proposed = versions.find((v) => v.status === 'proposed');
    const actions = actionsFor(req.user!, c, !!proposed);
    res.status(status).render('contracts/show', {
      title: req.t('contracts.show.title', { number: c.number }),
      contract: c,
      partyA: JSON.parse(c.party_a_json) as Party,
      partyB: JSON.parse(c.party_b_json) as Party,
      current,
      proposed,
      proposedMilestones: proposed ? JSON.parse(proposed.milestones_json) : [],
      versions,
      sources: JSON.parse(current.sources_json) as { source: string; amountFen: number }[],
      milestones: milestoneRows.map((m) => ({ ...toMilestone(m), settlement: m.settlement })),
      paidFen: holdings.reduce((s, h) => s + h.paidFen, 0),
      events: events.map((e: { action: string }) => ({ ...e, label: auditActionLabel(req.t, req.lang, e.action) })),
      window: signingWindow(c, deps.clock.now()),
      values: extras.values ?? {},
      errors: extras.errors ?? {},
      open: extras.open ?? null,
      formError: extras.formError ?? null,
      ...actions,
    });
  }

  async function show(req: Request, res: Response) {
    await showWith(req, res, 200);
  }

  /** The public page of a signed contract (no sign-in): parties by name and credit code only, the
   *  terms and schedule with personal data scrubbed from the free text; 404 for anything unsigned. */
  return { list, mine, show, showWith };
}
export type PageHandlers = ReturnType<typeof pageHandlers>;
