import type { Queryable } from '../../../db/knex';
import { managersOf, notify, staffOf } from '../../notifications';

/** Whom a contract's notice goes to: the organization's staff (party B) or the street office's managers. */
export type ContractSide = 'organization' | 'managers';

/** Tells one side of a contract what just happened to it, in the same transaction, linked to the
 *  contract and naming it by its number (the one shape of every contract notice). */
export async function tellSide(
  trx: Queryable,
  c: Pick<ContractRowLike, 'id' | 'number' | 'organization_id' | 'street_office_id'>,
  side: ContractSide,
  { kind, messageKey, params = {} }: { kind: string; messageKey: string; params?: Record<string, unknown> },
  now: Date,
): Promise<void> {
  const to =
    side === 'organization'
      ? await staffOf(trx, [Number(c.organization_id)])
      : await managersOf(trx, Number(c.street_office_id));
  await notify(
    trx,
    to,
    {
      kind,
      messageKey,
      params: { number: c.number, ...params },
      link: `/contracts/${c.id}`,
      subjectType: 'contract',
      subjectId: Number(c.id),
    },
    now,
  );
}

interface ContractRowLike {
  id: number;
  number: string;
  organization_id: number;
  street_office_id: number;
}
