import type { Request, Response } from 'express';
import type { AppDeps } from '../../../deps';
import { PUBLIC_CHECKPOINTS_PATH, PUBLIC_CHECKPOINTS_JSON_PATH, publicAuditHead } from '../../../audit';
import { formatMoney } from '../../../shared/money';
import { pageNumber, parseCursor } from '../../../shared/pagination';
import { publicCaching } from '../../../web/caching';
import { NotFound } from '../../../web/errors';
import { PUBLIC_CONTRACT_ORDER, PUBLIC_CONTRACT_STATUSES, listPublicContracts, publicContract } from '../../contracts';
import { FUND_SOURCES, formatGrowthPercent } from '../../funds';
import { barChart, stackedBarChart } from '../charts';
import { notModified } from '../freshness';
import { pathNumber, pathYear, queryId, queryStatus, queryYear, yearRange } from '../input';
import { contractEvaluations, contractPayments } from '../ports';
import {
  districtReport,
  serviceCategories,
  shanghaiYear,
  streetOffice,
  streetOffices,
  streetYearReport,
  type StreetYearReport,
} from '../queries';
import { ocidOf } from '../ocds/release';

const BALANCE_KEYS = ['paid', 'committed', 'reserved', 'available'] as const;

/** The charts of a street-year, drawn from the same report the tables print. */
export function streetYearCharts(req: Request, r: StreetYearReport) {
  const sep = req.lang === 'en' ? ', ' : '、';
  const legend = Object.fromEntries(BALANCE_KEYS.map((k) => [k, req.t(`disclosure.balance.${k}`)]));
  const months = r.paidByMonth.map((fen, i) => ({ label: req.t('disclosure.month', { month: i + 1 }), valueFen: fen }));
  const categoryName = (c: { nameZh: string; nameEn: string }) => (req.lang === 'en' ? c.nameEn : c.nameZh);
  return {
    sources: stackedBarChart(
      r.bySource.map((s) => ({
        label: req.t(`funds.sources.${s.source}`),
        segments: BALANCE_KEYS.map((k) => ({ key: k, valueFen: s[k] })),
      })),
      [...BALANCE_KEYS],
      {
        id: 'chart-sources',
        title: req.t('disclosure.charts.sourcesTitle', { street: r.street.name, year: r.year }),
        summary: req.t('disclosure.charts.sourcesSummary'),
        legend,
        sep,
      },
    ),
    months: barChart(months, {
      id: 'chart-months',
      title: req.t('disclosure.charts.monthsTitle', { street: r.street.name, year: r.year }),
      summary: req.t('disclosure.charts.monthsSummary'),
      sep,
    }),
    categories: barChart(
      r.paidByCategory.map((c) => ({ label: categoryName(c), valueFen: c.paidFen })),
      {
        id: 'chart-categories',
        title: req.t('disclosure.charts.categoriesTitle', { street: r.street.name, year: r.year }),
        summary: req.t('disclosure.charts.categoriesSummary'),
        sep,
      },
    ),
  };
}

export function pageHandlers(deps: AppDeps) {
  const currentYear = () => shanghaiYear(deps.clock.now());

  async function streetAndYear(req: Request) {
    const year = pathYear(req.params.year, currentYear());
    const street = await streetOffice(deps.db, pathNumber(req.params.streetId, 'disclosure.errors.noSuchStreet'));
    if (!street) throw new NotFound('disclosure.errors.noSuchStreet');
    return { street, year };
  }

  async function front(req: Request, res: Response) {
    const year = queryYear(req.query.year, currentYear()) ?? currentYear();
    const [r, head] = await Promise.all([districtReport(deps.db, year), publicAuditHead(deps.db)]);
    const sep = req.lang === 'en' ? ', ' : '、';
    const legend = Object.fromEntries(BALANCE_KEYS.map((k) => [k, req.t(`disclosure.balance.${k}`)]));
    const chart = stackedBarChart(
      r.streets.map((s) => ({ label: s.street_name, segments: BALANCE_KEYS.map((k) => ({ key: k, valueFen: s[k] })) })),
      [...BALANCE_KEYS],
      {
        id: 'chart-streets',
        title: req.t('disclosure.front.chartTitle', { year }),
        summary: req.t('disclosure.charts.streetsSummary'),
        legend,
        sep,
      },
    );
    res.setHeader('Cache-Control', publicCaching(req));
    res.render('disclosure/front', {
      title: req.t('disclosure.front.title'),
      report: r,
      below: r.streets.filter((s) => s.below_floor),
      chart,
      balanceKeys: BALANCE_KEYS,
      years: Array.from({ length: 5 }, (_, i) => currentYear() - i),
      growth: formatGrowthPercent,
      auditHead: {
        ...head,
        checkpointsHref: PUBLIC_CHECKPOINTS_PATH,
        checkpointsJsonHref: PUBLIC_CHECKPOINTS_JSON_PATH,
      },
    });
  }

  async function streetYear(req: Request, res: Response) {
    const { street, year } = await streetAndYear(req);
    // A visitor's repeat view is a 304 while nothing public changed (freshness.ts); the page also
    // depends on the current year (the year links). A signed-in page carries the user's name and
    // menu and is never stored (no-store), so it is always rendered.
    if (!req.user && (await notModified(deps, req, res, undefined, String(currentYear())))) return;
    const r = await streetYearReport(deps.db, street, year);
    res.setHeader('Cache-Control', publicCaching(req));
    res.render('disclosure/street-year', {
      title: req.t('disclosure.streetYear.title', { street: street.name, year }),
      report: r,
      charts: streetYearCharts(req, r),
      balanceKeys: BALANCE_KEYS,
      sources: FUND_SOURCES,
      growth: formatGrowthPercent,
      range: yearRange(currentYear()),
      categoryName: (c: { nameZh: string; nameEn: string }) => (req.lang === 'en' ? c.nameEn : c.nameZh),
    });
  }

  async function chart(req: Request, res: Response) {
    const { street, year } = await streetAndYear(req);
    const name = String(req.params.chart).replace(/\.svg$/, '');
    if (!['sources', 'months', 'categories'].includes(name)) throw new NotFound('disclosure.errors.noSuchChart');
    if (await notModified(deps, req, res)) return;
    const charts = streetYearCharts(req, await streetYearReport(deps.db, street, year));
    res.setHeader('Content-Type', 'image/svg+xml; charset=utf-8');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.send(charts[name as keyof typeof charts]);
  }

  async function contracts(req: Request, res: Response) {
    const year = queryYear(req.query.year, currentYear());
    const filters = {
      streetOfficeId: queryId(req.query.street),
      year,
      categoryId: queryId(req.query.category),
      organizationId: queryId(req.query.organization),
      status: queryStatus(req.query.status),
    };
    const [page, streets, categories] = await Promise.all([
      listPublicContracts(
        deps.db,
        filters,
        pageNumber(req.query.page),
        undefined,
        parseCursor(req.query, PUBLIC_CONTRACT_ORDER),
      ),
      streetOffices(deps.db),
      serviceCategories(deps.db),
    ]);
    const query = new URLSearchParams(
      Object.entries({
        street: filters.streetOfficeId,
        year,
        category: filters.categoryId,
        organization: filters.organizationId,
        status: filters.status,
      })
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, String(v)] as [string, string]),
    ).toString();
    res.setHeader('Cache-Control', publicCaching(req));
    res.render('disclosure/contracts', {
      title: req.t('disclosure.contracts.title'),
      page,
      filters,
      streets,
      categories,
      statuses: PUBLIC_CONTRACT_STATUSES,
      query: query ? `${query}&` : '',
      csvQuery: query,
      years: Array.from({ length: 5 }, (_, i) => currentYear() - i),
      categoryName: (c: { name_zh: string; name_en: string }) => (req.lang === 'en' ? c.name_en : c.name_zh),
    });
  }

  async function contract(req: Request, res: Response) {
    const c = await publicContract(deps.db, pathNumber(req.params.contractId, 'disclosure.errors.noSuchContract'));
    if (!c) throw new NotFound('disclosure.errors.noSuchContract');
    const [evaluations, payments] = await Promise.all([contractEvaluations(deps.db, c), contractPayments(deps.db, c)]);
    res.setHeader('Cache-Control', publicCaching(req));
    res.render('disclosure/contract', {
      title: req.t('contracts.public.title', { number: c.number }),
      contract: c,
      evaluations,
      payments,
      paidFen: payments.reduce((s, p) => s + (p.kind === 'release' ? p.amountFen : -p.amountFen), 0),
      ocid: ocidOf(deps.config.ocds, c.call_id),
      grade: (g: string) => req.t(`evaluations.grade.${g}`),
      score: (h: number) => (h / 100).toFixed(2),
      stars: (n: number) => '★'.repeat(n) + '☆'.repeat(Math.max(0, 5 - n)),
      money: formatMoney,
    });
  }

  return { front, streetYear, chart, contracts, contract };
}
