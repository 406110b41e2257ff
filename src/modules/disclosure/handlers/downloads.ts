import type { Request, Response } from 'express';
import type { AppDeps } from '../../../deps';
import { publicCaching } from '../../../web/caching';
import { NotFound } from '../../../web/errors';
import { allPublicContracts } from '../../contracts';
import { paymentLedgerOfContracts } from '../../funds';
import { sendCsv, yuan } from '../csv';
import { queryId, queryStatus, queryYear } from '../input';
import { shanghaiYear, streetOffice } from '../queries';

/** CSV downloads for people who use spreadsheets: the signed contracts and their payments, with the list's filters. */
export function downloadHandlers(deps: AppDeps) {
  const filtersOf = (req: Request) => ({
    streetOfficeId: queryId(req.query.street),
    year: queryYear(req.query.year, shanghaiYear(deps.clock.now())),
    categoryId: queryId(req.query.category),
    organizationId: queryId(req.query.organization),
    status: queryStatus(req.query.status),
  });

  async function contractsCsv(req: Request, res: Response) {
    const f = filtersOf(req);
    if (f.streetOfficeId && !(await streetOffice(deps.db, f.streetOfficeId)))
      throw new NotFound('disclosure.errors.noSuchStreet');
    const rows = await allPublicContracts(deps.db, f);
    const t = (k: string) => req.t(`disclosure.csv.${k}`);
    sendCsv(
      res,
      'contracts.csv',
      [
        'number',
        'title',
        'streetOffice',
        'organization',
        'category',
        'status',
        'amount',
        'periodStart',
        'periodEnd',
        'signedAt',
        'url',
      ].map(t),
      rows.map((c) => [
        c.number,
        c.title,
        c.street_office_name,
        c.organization_name,
        req.lang === 'en' ? c.category_en : c.category_zh,
        req.t(`contracts.status.${c.status}`),
        yuan(c.amount_fen),
        c.period_start,
        c.period_end,
        c.signed_at,
        `${deps.config.ocds.baseUrl}/public/contracts/${c.id}`,
      ]),
      publicCaching(req),
    );
  }

  async function paymentsCsv(req: Request, res: Response) {
    const f = filtersOf(req);
    if (f.streetOfficeId && !(await streetOffice(deps.db, f.streetOfficeId)))
      throw new NotFound('disclosure.errors.noSuchStreet');
    const contracts = await allPublicContracts(deps.db, f);
    const byId = new Map(contracts.map((c) => [c.id, c]));
    const entries = await paymentLedgerOfContracts(
      deps.db,
      contracts.map((c) => c.id),
    );
    const t = (k: string) => req.t(`disclosure.csv.${k}`);
    sendCsv(
      res,
      'payments.csv',
      ['entry', 'date', 'contractNumber', 'streetOffice', 'organization', 'kind', 'source', 'amount', 'fundYear'].map(
        t,
      ),
      entries.map((e) => {
        const c = byId.get(e.contract_id!)!;
        return [
          e.id,
          e.created_at,
          c.number,
          c.street_office_name,
          c.organization_name,
          req.t(`disclosure.paymentKind.${e.kind === 'payment' ? 'release' : 'reversal'}`),
          req.t(`funds.sources.${e.source}`),
          yuan(e.signed_fen),
          e.year,
        ];
      }),
      publicCaching(req),
    );
  }

  return { contractsCsv, paymentsCsv };
}
