import type { Knex } from 'knex';

// The database's own rules for payments, whatever a service forgets:
// - payments, payment_sources, payment_vouchers, payment_invoices and payment_withheld_decisions
//   are append-only (UPDATE and DELETE refused);
// - a payment proposal is never deleted, and once decided never changed; while open only its
//   decision columns may change;
// - a release is at most its milestone's share, and the contract's releases less reversals at most
//   its amount in force; a reversal reverses a release of the same milestone, at most what is left.
const APPEND_ONLY = [
  'payments',
  'payment_sources',
  'payment_vouchers',
  'payment_invoices',
  'payment_withheld_decisions',
];
const SHARE = 'a release exceeds its milestone share';
const CONTRACT = 'releases exceed the contract amount';
const REVERSAL = 'a reversal exceeds what is left of its release';
const FROZEN = 'a decided payment proposal cannot change';

const released = (contract: string) =>
  `COALESCE((SELECT SUM(CASE kind WHEN 'release' THEN amount_fen WHEN 'reversal' THEN -amount_fen ELSE 0 END) FROM payments WHERE contract_id = ${contract}), 0)`;
const inForce = (contract: string) =>
  `(SELECT amount_fen FROM contract_versions WHERE contract_id = ${contract} AND status = 'current')`;
const leftOf = (payment: string) =>
  `(SELECT r.amount_fen - COALESCE((SELECT SUM(x.amount_fen) FROM payments x WHERE x.reverses_payment_id = r.id), 0) FROM payments r WHERE r.id = ${payment} AND r.kind = 'release' AND r.milestone_id = NEW.milestone_id)`;

export async function up(db: Knex): Promise<void> {
  if (db.client.config.client === 'sqlite3') {
    for (const table of APPEND_ONLY) {
      for (const op of ['UPDATE', 'DELETE']) {
        await db.raw(
          `CREATE TRIGGER ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table} BEGIN SELECT RAISE(ABORT, '${table} are append-only'); END`,
        );
      }
    }
    await db.raw(
      `CREATE TRIGGER payment_proposals_no_delete BEFORE DELETE ON payment_proposals BEGIN SELECT RAISE(ABORT, 'payment proposals are never deleted'); END`,
    );
    await db.raw(`CREATE TRIGGER payment_proposals_frozen BEFORE UPDATE ON payment_proposals
      WHEN OLD.status <> 'proposed' OR NEW.kind IS NOT OLD.kind OR NEW.amount_fen IS NOT OLD.amount_fen OR NEW.allowed_fen IS NOT OLD.allowed_fen
        OR NEW.sources_json IS NOT OLD.sources_json OR NEW.milestone_id IS NOT OLD.milestone_id OR NEW.contract_id IS NOT OLD.contract_id
        OR NEW.proposed_by IS NOT OLD.proposed_by OR NEW.reverses_payment_id IS NOT OLD.reverses_payment_id OR NEW.reason IS NOT OLD.reason
      BEGIN SELECT RAISE(ABORT, '${FROZEN}'); END`);
    await db.raw(`CREATE TRIGGER payments_within_limits BEFORE INSERT ON payments
      BEGIN
        SELECT RAISE(ABORT, '${SHARE}') WHERE NEW.kind = 'release' AND NEW.amount_fen > (SELECT amount_fen FROM contract_milestones WHERE id = NEW.milestone_id);
        SELECT RAISE(ABORT, '${CONTRACT}') WHERE NEW.kind = 'release' AND ${released('NEW.contract_id')} + NEW.amount_fen > ${inForce('NEW.contract_id')};
        SELECT RAISE(ABORT, '${REVERSAL}') WHERE NEW.kind = 'reversal' AND (${leftOf('NEW.reverses_payment_id')} IS NULL OR NEW.amount_fen > ${leftOf('NEW.reverses_payment_id')});
      END`);
    return;
  }
  await db.raw(`CREATE FUNCTION payments_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION '% are append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql`);
  for (const table of APPEND_ONLY) {
    await db.raw(
      `CREATE TRIGGER ${table}_no_change BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION payments_append_only()`,
    );
    await db.raw(
      `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION payments_append_only()`,
    );
  }
  await db.raw(`CREATE FUNCTION payment_proposals_guard() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'payment proposals are never deleted'; END IF;
      IF OLD.status <> 'proposed' OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.amount_fen IS DISTINCT FROM OLD.amount_fen
        OR NEW.allowed_fen IS DISTINCT FROM OLD.allowed_fen OR NEW.sources_json IS DISTINCT FROM OLD.sources_json
        OR NEW.milestone_id IS DISTINCT FROM OLD.milestone_id OR NEW.contract_id IS DISTINCT FROM OLD.contract_id
        OR NEW.proposed_by IS DISTINCT FROM OLD.proposed_by OR NEW.reverses_payment_id IS DISTINCT FROM OLD.reverses_payment_id
        OR NEW.reason IS DISTINCT FROM OLD.reason THEN
        RAISE EXCEPTION '${FROZEN}';
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql`);
  await db.raw(
    `CREATE TRIGGER payment_proposals_guard BEFORE UPDATE OR DELETE ON payment_proposals FOR EACH ROW EXECUTE FUNCTION payment_proposals_guard()`,
  );
  await db.raw(`CREATE FUNCTION payments_within_limits() RETURNS trigger AS $$
    DECLARE lft bigint;
    BEGIN
      IF NEW.kind = 'release' THEN
        IF NEW.amount_fen > (SELECT amount_fen FROM contract_milestones WHERE id = NEW.milestone_id) THEN RAISE EXCEPTION '${SHARE}'; END IF;
        IF ${released('NEW.contract_id')} + NEW.amount_fen > ${inForce('NEW.contract_id')} THEN RAISE EXCEPTION '${CONTRACT}'; END IF;
      ELSIF NEW.kind = 'reversal' THEN
        lft := ${leftOf('NEW.reverses_payment_id')};
        IF lft IS NULL OR NEW.amount_fen > lft THEN RAISE EXCEPTION '${REVERSAL}'; END IF;
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql`);
  await db.raw(
    `CREATE TRIGGER payments_within_limits BEFORE INSERT ON payments FOR EACH ROW EXECUTE FUNCTION payments_within_limits()`,
  );
}

export async function down(db: Knex): Promise<void> {
  if (db.client.config.client === 'sqlite3') {
    for (const table of APPEND_ONLY)
      for (const op of ['update', 'delete']) await db.raw(`DROP TRIGGER IF EXISTS ${table}_no_${op}`);
    await db.raw('DROP TRIGGER IF EXISTS payment_proposals_no_delete');
    await db.raw('DROP TRIGGER IF EXISTS payment_proposals_frozen');
    await db.raw('DROP TRIGGER IF EXISTS payments_within_limits');
    return;
  }
  for (const table of APPEND_ONLY) {
    await db.raw(`DROP TRIGGER IF EXISTS ${table}_no_change ON ${table}`);
    await db.raw(`DROP TRIGGER IF EXISTS ${table}_no_truncate ON ${table}`);
  }
  await db.raw('DROP TRIGGER IF EXISTS payment_proposals_guard ON payment_proposals');
  await db.raw('DROP TRIGGER IF EXISTS payments_within_limits ON payments');
  await db.raw('DROP FUNCTION IF EXISTS payments_within_limits()');
  await db.raw('DROP FUNCTION IF EXISTS payment_proposals_guard()');
  await db.raw('DROP FUNCTION IF EXISTS payments_append_only()');
}
