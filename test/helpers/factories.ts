import bcrypt from 'bcryptjs';
import type { Knex } from 'knex';
import type { Clock } from '../../src/shared/clock';
import { withCheckChar } from '../../src/shared/credit-code';
import type { Role } from '../../src/modules/accounts/roles';

// The chain of records from a catalogue item to a signed contract (calls, bids, reviews, awards,
// contracts), each builder starting where the one before it ends.
export * from './chain';

export const TEST_PASSWORD = 'correct horse battery';
const PASSWORD_HASH = bcrypt.hashSync(TEST_PASSWORD, 4);

let sequence = 0;
const next = () => ++sequence;

/** Rows for tests, with sensible defaults; each returns the row it inserted (with its id). */
export class Factories {
  constructor(
    private readonly db: Knex,
    private readonly clock: Clock,
  ) {}

  private stamps() {
    const at = this.clock.now().toISOString();
    return { created_at: at, updated_at: at };
  }

  private async insert<T extends Record<string, unknown>>(table: string, row: T): Promise<T & { id: number }> {
    const [inserted] = await this.db(table).insert(row).returning('id');
    return { ...row, id: Number(typeof inserted === 'object' ? inserted.id : inserted) };
  }

  async streetOffice(overrides: Record<string, unknown> = {}) {
    const n = next();
    // A unique short code of letters (contract numbers are <code>-<year>-<seq>): 1 -> TB, 27 -> TBB.
    const code = `T${[...(n + 26).toString(26)].map((d) => String.fromCharCode(65 + parseInt(d, 26))).join('')}`;
    return this.insert('street_offices', {
      name: `测试街道${n}`,
      district: '测试区',
      short_code: code,
      legal_representative: `主任${n}`,
      address: `测试区测试路${n}号`,
      ...this.stamps(),
      ...overrides,
    });
  }

  async organization(overrides: Record<string, unknown> = {}) {
    const n = next();
    const body = `52320115MJ${String(n).padStart(7, '0')}`;
    return this.insert('organizations', {
      name: `测试社会组织${n}`,
      credit_code: withCheckChar(body),
      status: 'approved',
      ...this.stamps(),
      ...overrides,
    });
  }

  /** A user of the role, with the scope that role needs (a new street office or organization unless given). */
  async user(role: Role, overrides: Record<string, unknown> = {}) {
    const n = next();
    const { auditStreets, ...columns } = overrides;
    const scope: Record<string, unknown> = {};
    if ((role === 'manager' || role === 'approver') && overrides.street_office_id === undefined) {
      scope.street_office_id = (await this.streetOffice()).id;
    }
    if (role === 'org_staff' && overrides.organization_id === undefined) {
      scope.organization_id = (await this.organization()).id;
    }
    const user = await this.insert('users', {
      username: `${role.replace('_', '')}${n}`,
      display_name: `测试用户${n}`,
      password_hash: PASSWORD_HASH,
      role,
      street_office_id: null,
      organization_id: null,
      disabled_at: null,
      ...scope,
      ...this.stamps(),
      ...columns,
    });
    if (role === 'auditor' && Array.isArray(auditStreets)) {
      await this.db('user_street_offices').insert(
        (auditStreets as number[]).map((id) => ({ user_id: user.id, street_office_id: id })),
      );
    }
    return user as typeof user & { username: string; street_office_id: number | null; organization_id: number | null };
  }
}
