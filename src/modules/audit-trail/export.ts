import { once } from 'node:events';
import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { auditedTransaction } from '../../audit/audit';
import { actorOf } from '../../web/actor';
import { formatDateTime } from '../../shared/time';
import { eachEvent, type EventFilters } from './queries';
import { describeEvents } from './describe';
import { sentenceText } from './labels';
import type { FilterValues } from './schemas';
import { contentDisposition } from './downloads';
import type { TrailScope } from './scope';

/** A CSV field: quoted when needed; a leading = + - @ is neutralised so a spreadsheet never runs it. */
export function csvField(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The filtered events as CSV (UTF-8 with a BOM, so Excel reads the Chinese), oldest first, written
 * batch by batch as they are read (never the whole result in memory), with names and sentences in
 * the reader's language. The export itself is audited first (`audit.export`: who, which filters),
 * in its own transaction, so the file a reader takes away always has its trace.
 */
export async function exportCsv(
  deps: AppDeps,
  req: Request,
  res: Response,
  streets: TrailScope,
  filters: EventFilters,
  values: FilterValues,
): Promise<void> {
  const now = deps.clock.now();
  await auditedTransaction(deps.db, actorOf(req), now, async () => ({
    result: null,
    audit: {
      action: 'audit.export',
      subjectType: 'audit_trail',
      streetOfficeId: filters.streetOfficeId ?? (streets && streets.length === 1 ? streets[0] : null),
      after: { format: 'csv', filters: Object.fromEntries(Object.entries(values).filter(([, v]) => v)) },
    },
  }));
  const day = formatDateTime(now, 'zh-CN').slice(0, 10);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', contentDisposition(`审计日志-${day}.csv`, `audit-trail-${day}.csv`));
  const t = req.t;
  const header = [
    'id',
    'time',
    'utc',
    'actor',
    'role',
    'action',
    'sentence',
    'subjectType',
    'subjectId',
    'subject',
    'street',
    'ip',
    'before',
    'after',
    'hash',
  ].map((k) => t(`auditTrail.csv.${k}`));
  const write = async (chunk: string) => {
    if (!res.write(chunk)) await once(res, 'drain');
  };
  await write(`\ufeff${header.map(csvField).join(',')}\r\n`);
  for await (const rows of eachEvent(deps.db, streets, filters, now)) {
    const described = await describeEvents(
      deps.db,
      rows.map((r) => ({ ...r, id: Number(r.id) })),
      req.user!,
      t,
      req.lang,
    );
    let chunk = '';
    for (const e of described) {
      const role = e.actor_role ? t(`roles.${e.actor_role}`) : '';
      const subject = e.subject?.name ?? '';
      chunk +=
        [
          e.id,
          formatDateTime(e.occurred_at, req.lang),
          e.occurred_at,
          e.actor.name,
          role,
          e.action,
          sentenceText(e.action, req.lang, e.actor.name, subject),
          e.subject_type,
          e.subject_id,
          subject,
          e.street_office_name,
          e.ip,
          e.before_json,
          e.after_json,
          e.hash,
        ]
          .map(csvField)
          .join(',') + '\r\n';
    }
    await write(chunk);
  }
  res.end();
}
