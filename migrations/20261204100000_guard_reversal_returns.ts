import type { Knex } from 'knex';

// A correction (追回) no longer moves money when it is approved: the approval is a decision, and the
// reversal payment (with its ledger entries) is written when the approver records that the money has
// come back. Between the two the money stays paid, and the database keeps the line:
// - one reversal per release that is not rejected (open or approved, returned or not), replacing
//   the index on open reversals only: an approved, not yet returned correction blocks another;
// - approving a reversal proposal: at most what is left of its release, counting the reversals
//   written and the other approved ones still waiting for their return;
// - a reversal payment only for an approved reversal proposal, of its amount and its release.
const LEFT = 'an approved reversal exceeds what is left of its release';
const UNAPPROVED = 'a reversal payment needs its approved reversal proposal';

const leftFor = (proposalId: string, release: string) =>
  `(SELECT r.amount_fen
      - COALESCE((SELECT SUM(x.amount_fen) FROM payments x WHERE x.reverses_payment_id = r.id), 0)
      - COALESCE((SELECT SUM(q.amount_fen) FROM payment_proposals q
          WHERE q.reverses_payment_id = r.id AND q.kind = 'reversal' AND q.status = 'approved' AND q.id <> ${proposalId}
            AND NOT EXISTS (SELECT 1 FROM payments y WHERE y.proposal_id = q.id)), 0)
    FROM payments r WHERE r.id = ${release} AND r.kind = 'release')`;
const approvedFor = `EXISTS (SELECT 1 FROM payment_proposals q WHERE q.id = NEW.proposal_id AND q.kind = 'reversal'
    AND q.status = 'approved' AND q.amount_fen = NEW.amount_fen AND q.reverses_payment_id = NEW.reverses_payment_id)`;

export async function up(db: Knex): Promise<void> {
  await db.raw('DROP INDEX IF EXISTS payment_proposals_one_open_reversal');
  await db.raw(
    "CREATE UNIQUE INDEX payment_proposals_one_reversal ON payment_proposals (reverses_payment_id) WHERE kind = 'reversal' AND status <> 'rejected'",
  );
  if (db.client.config.client === 'sqlite3') {
    await db.raw(`CREATE TRIGGER payment_proposals_reversal_within_release BEFORE UPDATE ON payment_proposals
      WHEN NEW.kind = 'reversal' AND NEW.status = 'approved' AND OLD.status = 'proposed'
      BEGIN
        SELECT RAISE(ABORT, '${LEFT}')
          WHERE ${leftFor('NEW.id', 'NEW.reverses_payment_id')} IS NULL OR NEW.amount_fen > ${leftFor('NEW.id', 'NEW.reverses_payment_id')};
      END`);
    await db.raw(`CREATE TRIGGER payments_reversal_approved BEFORE INSERT ON payments
      WHEN NEW.kind = 'reversal' AND NOT ${approvedFor}
      BEGIN SELECT RAISE(ABORT, '${UNAPPROVED}'); END`);
    return;
  }
  await db.raw(`CREATE FUNCTION payment_proposals_reversal_within_release() RETURNS trigger AS $$
    DECLARE lft bigint;
    BEGIN
      IF NEW.kind = 'reversal' AND NEW.status = 'approved' AND OLD.status = 'proposed' THEN
        lft := ${leftFor('NEW.id', 'NEW.reverses_payment_id')};
        IF lft IS NULL OR NEW.amount_fen > lft THEN RAISE EXCEPTION '${LEFT}'; END IF;
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql`);
  await db.raw(
    `CREATE TRIGGER payment_proposals_reversal_within_release BEFORE UPDATE ON payment_proposals FOR EACH ROW EXECUTE FUNCTION payment_proposals_reversal_within_release()`,
  );
  await db.raw(`CREATE FUNCTION payments_reversal_approved() RETURNS trigger AS $$
    BEGIN
      IF NEW.kind = 'reversal' AND NOT ${approvedFor} THEN RAISE EXCEPTION '${UNAPPROVED}'; END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql`);
  await db.raw(
    `CREATE TRIGGER payments_reversal_approved BEFORE INSERT ON payments FOR EACH ROW EXECUTE FUNCTION payments_reversal_approved()`,
  );
}

export async function down(db: Knex): Promise<void> {
  if (db.client.config.client === 'sqlite3') {
    await db.raw('DROP TRIGGER IF EXISTS payment_proposals_reversal_within_release');
    await db.raw('DROP TRIGGER IF EXISTS payments_reversal_approved');
  } else {
    await db.raw('DROP TRIGGER IF EXISTS payment_proposals_reversal_within_release ON payment_proposals');
    await db.raw('DROP FUNCTION IF EXISTS payment_proposals_reversal_within_release()');
    await db.raw('DROP TRIGGER IF EXISTS payments_reversal_approved ON payments');
    await db.raw('DROP FUNCTION IF EXISTS payments_reversal_approved()');
  }
  await db.raw('DROP INDEX IF EXISTS payment_proposals_one_reversal');
  await db.raw(
    "CREATE UNIQUE INDEX payment_proposals_one_open_reversal ON payment_proposals (reverses_payment_id) WHERE status = 'proposed' AND kind = 'reversal'",
  );
}
