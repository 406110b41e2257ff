import type { Request, Response } from 'express';
import type { TFunction } from 'i18next';
import type { AppDeps } from '../../deps';
import { recordAudit } from '../../audit/audit';
import { actorOf } from '../../web/actor';
import { formatDateTime } from '../../shared/time';
import { attachment } from './export/disposition';
import { writeCsv } from './export/csv';
import type { ReportDocument, Section } from './export/model';
import { renderReportPdf } from './export/pdf';
import { writeXlsx } from './export/xlsx';
import { fundReport, fundSections, ledgerCheck, mismatchText, type LedgerCheck } from './fund-report';
import { journalPage, journalSection, journalTotals } from './journal';
import { periodLabel, type Period } from './period';
import { readableStreetIds, resolveScope, type Scope } from './policy';
import { registerPage, registerSection } from './register';
import { registerTotals } from './queries';
import {
  FORMATS,
  parseFormat,
  parseReportRequest,
  type Format,
  type ReportRequest,
  type ReportValues,
} from './schemas';
import { contractDossier } from './dossier';

export const REPORTS = ['register', 'funds', 'payments'] as const;
export type ReportName = (typeof REPORTS)[number];

const ASCII: Record<ReportName, string> = {
  register: 'contract-register',
  funds: 'fund-report',
  payments: 'payment-journal',
};
const MIME: Record<Format, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  pdf: 'application/pdf',
};

/** The exports are not meant for a PDF of a million rows: beyond this the PDF is refused (the
 *  spreadsheet and CSV stream any length). */
export const PDF_MAX_ROWS = 5000;

export function reportHandlers(deps: AppDeps) {
  /** The form's street choices and the request's values, for every report page. */
  async function formLocals(req: Request, values: ReportValues) {
    const ids = await readableStreetIds(deps.db, req.user!);
    const streets = ids.length
      ? await deps.db('street_offices').whereIn('id', ids).orderBy('id').select('id', 'name')
      : [];
    return { streets, values, formats: FORMATS };
  }

  async function refuse(
    req: Request,
    res: Response,
    report: ReportName,
    errors: Record<string, string>,
    values: ReportValues,
  ) {
    const translated = Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, req.t(v)]));
    res.status(422).render('reports/report', {
      title: req.t(`reports.${report}.title`),
      report,
      errors: translated,
      data: null,
      ...(await formLocals(req, values)),
    });
  }

  /** Parses the query; on bad input renders the report's form again with 422 and what was typed. */
  async function parsed(
    req: Request,
    res: Response,
    report: ReportName,
  ): Promise<{ request: ReportRequest; values: ReportValues } | null> {
    const r = parseReportRequest(req.query as Record<string, unknown>, deps.clock.now());
    if (!r.ok) {
      await refuse(req, res, report, r.errors, r.values);
      return null;
    }
    return { request: r.value, values: valuesOf(req) };
  }

  const valuesOf = (req: Request): ReportValues => {
    const q = req.query as Record<string, unknown>;
    const s = (k: string) => (typeof q[k] === 'string' ? String(q[k]) : '');
    return { street: s('street'), year: s('year'), from: s('from'), to: s('to'), format: s('format') };
  };

  function periodText(t: TFunction, p: Period) {
    return p.kind === 'year'
      ? t('reports.periodYear', { year: p.year })
      : t('reports.periodRange', { from: p.from, to: p.to });
  }
  function scopeText(t: TFunction, scope: Scope) {
    const names = scope.streets.map((s) => s.name).join('、');
    return scope.street === 'all' ? t('reports.scopeAll', { count: scope.streets.length, names }) : names;
  }

  function parameters(req: Request, scope: Scope, p: Period, extra: [string, string][] = []): [string, string][] {
    const t = req.t;
    const u = req.user!;
    return [
      [t('reports.params.who'), `${u.displayName}（${u.username}，${t(`roles.${u.role}`)}）`],
      [t('reports.params.when'), formatDateTime(deps.clock.now(), req.lang)],
      [t('reports.params.scope'), scopeText(t, scope)],
      [t('reports.params.period'), periodText(t, p)],
      ...extra,
    ];
  }

  function checkText(t: TFunction, f: { check: LedgerCheck; years: number[] }) {
    return f.check.ok
      ? t('reports.funds.checkPassed', { years: f.years.join('、') })
      : t('reports.funds.checkFailed', { count: f.check.mismatches.length });
  }

  /** The page of a report: the figures (a page of rows where long) and the download buttons. */
  function page(report: ReportName) {
    return async (req: Request, res: Response) => {
      const p = await parsed(req, res, report);
      if (!p) return;
      const scope = await resolveScope(deps.db, req.user!, p.request.street);
      const period = p.request.period;
      let data: Record<string, unknown>;
      if (report === 'register')
        data = await registerPage(deps.db, scope.streetOfficeIds, period, p.request.page, req.t, req.lang);
      else if (report === 'payments')
        data = await journalPage(deps.db, scope.streetOfficeIds, period, p.request.page, req.t);
      else {
        const f = await fundReport(deps.db, scope, period);
        data = {
          fund: f,
          mismatches: f.check.mismatches.map((m) => mismatchText(m, req.t)),
          checkText: checkText(req.t, f),
        };
      }
      const query = new URLSearchParams(
        Object.entries(p.values).filter(([k, v]) => v !== '' && k !== 'format'),
      ).toString();
      res.render('reports/report', {
        title: req.t(`reports.${report}.title`),
        report,
        errors: {},
        data,
        scopeText: scopeText(req.t, scope),
        periodText: periodText(req.t, period),
        query: query ? `${query}&` : '',
        ...(await formLocals(req, p.values)),
      });
    };
  }

  /** A download: checked, audited (who, which report, format, scope, period), then streamed. */
  function download(report: ReportName) {
    return async (req: Request, res: Response) => {
      const p = await parsed(req, res, report);
      if (!p) return;
      const format = parseFormat(req.query.format);
      if (!format) return refuse(req, res, report, { format: 'reports.errors.format' }, p.values);
      const scope = await resolveScope(deps.db, req.user!, p.request.street);
      const period = p.request.period;
      const t = req.t;
      // Counts and the fund figures first, then the audit event, and only then the row streams: a
      // stream holds its database connection until the last row (SQLite has one).
      let rows = 0;
      if (report !== 'funds')
        rows = (
          report === 'register'
            ? await registerTotals(deps.db, scope.streetOfficeIds, period)
            : await journalTotals(deps.db, scope.streetOfficeIds, period)
        ).count;
      if (format === 'pdf' && rows > PDF_MAX_ROWS)
        return refuse(
          req,
          res,
          report,
          { format: t('reports.errors.pdfTooLong', { max: PDF_MAX_ROWS, count: rows }) },
          p.values,
        );
      const fund = report === 'funds' ? await fundReport(deps.db, scope, period) : null;
      // Every report carries the ledger check of its street-years on its parameters sheet (issue 13),
      // not only the fund report: the register's and the journal's paid figures come from that ledger.
      let checked: { check: LedgerCheck; years: number[] };
      if (fund) checked = fund;
      else {
        const check = await ledgerCheck(deps.db, scope, period);
        checked = { check, years: check.years };
      }
      const now = deps.clock.now();
      await deps.db.transaction((trx) =>
        recordAudit(
          trx,
          actorOf(req),
          {
            action: 'report.download',
            subjectType: 'report',
            subjectId: report,
            streetOfficeId: scope.streetOfficeIds.length === 1 ? scope.streetOfficeIds[0] : null,
            after: {
              report,
              format,
              street: scope.street,
              streetOfficeIds: scope.streetOfficeIds,
              period,
              rows,
              ledgerCheck: checked.check.ok ? 'ok' : checked.check.mismatches.length,
            },
          },
          now,
        ),
      );
      let sections: Section[];
      if (report === 'register')
        sections = [(await registerSection(deps.db, scope.streetOfficeIds, period, t, req.lang)).section];
      else if (report === 'payments')
        sections = [(await journalSection(deps.db, scope.streetOfficeIds, period, t)).section];
      else sections = fundSections(fund!, t, req.lang);
      const label = periodLabel(period);
      const streetPart = scope.street === 'all' ? t('reports.allStreets') : scope.streets[0].name;
      const doc: ReportDocument = {
        title: `${t(`reports.${report}.title`)} ${streetPart} ${label}`,
        fileName: `${t(`reports.${report}.title`)}-${streetPart}-${label}`,
        asciiName: `${ASCII[report]}-${scope.street === 'all' ? 'all' : `street${scope.street}`}-${label}`,
        parameters: parameters(req, scope, period, [[t('reports.params.ledgerCheck'), checkText(t, checked)]]),
        sections,
        alerts: checked.check.mismatches.map((m) => mismatchText(m, t)),
      };
      res.setHeader('Content-Type', MIME[format]);
      res.setHeader('Content-Disposition', attachment(`${doc.fileName}.${format}`, `${doc.asciiName}.${format}`));
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Cache-Control', 'private, no-store');
      try {
        if (format === 'pdf') res.end(await renderReportPdf(doc, now.toISOString()));
        else {
          if (format === 'xlsx') await writeXlsx(doc, res);
          else await writeCsv(doc, res);
          res.end();
        }
      } catch (err) {
        // Once bytes have gone out no error page can follow: cut the response so that a partial
        // file is never taken for a whole one.
        if (res.headersSent) {
          req.log?.error({ err }, 'report export failed while streaming');
          res.destroy(err as Error);
          return;
        }
        throw err;
      }
    };
  }

  return {
    async index(req: Request, res: Response) {
      res.render('reports/index', {
        title: req.t('reports.title'),
        reports: REPORTS,
        ...(await formLocals(req, valuesOf(req))),
        errors: {},
      });
    },
    page,
    download,
    async dossier(req: Request, res: Response) {
      const id = /^\d{1,9}$/.test(String(req.params.contractId)) ? Number(req.params.contractId) : 0;
      const d = await contractDossier(deps, actorOf(req), req.user!, id);
      res.setHeader('Content-Type', 'application/pdf');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Cache-Control', 'private, no-store');
      res.setHeader('Content-Disposition', attachment(`合同档案-${d.number}.pdf`, `contract-dossier-${d.number}.pdf`));
      res.end(d.bytes);
    },
  };
}
