import type { Knex } from 'knex';

// Any entry may name the entry it undoes (reverses_entry_id, unique: once); the database checks that
// it fits, whatever a service forgets:
// - the entry undone is in the same account (street office, year, source);
// - a reversal undoes one allocation in full;
// - a payment reversal undoes a payment of the same award item and contract, at most its amount.
const ACCOUNT = 'an entry may only undo an entry of the same account';
const REVERSAL = 'a reversal undoes one allocation in full';
const PAYMENT = 'a payment reversal undoes a payment of the same award item, at most its amount';

export async function up(db: Knex): Promise<void> {
  if (db.client.config.client === 'sqlite3') {
    await db.raw(`CREATE TRIGGER fund_entries_reverses_fit BEFORE INSERT ON fund_entries
      WHEN NEW.reverses_entry_id IS NOT NULL
      BEGIN
        SELECT RAISE(ABORT, '${ACCOUNT}') WHERE NOT EXISTS (SELECT 1 FROM fund_entries r WHERE r.id = NEW.reverses_entry_id
          AND r.street_office_id = NEW.street_office_id AND r.year = NEW.year AND r.source = NEW.source);
        SELECT RAISE(ABORT, '${REVERSAL}') WHERE NEW.kind = 'reversal' AND NOT EXISTS (SELECT 1 FROM fund_entries r
          WHERE r.id = NEW.reverses_entry_id AND r.kind = 'allocation' AND r.amount_fen = NEW.amount_fen);
        SELECT RAISE(ABORT, '${PAYMENT}') WHERE NEW.kind = 'payment_reversal' AND NOT EXISTS (SELECT 1 FROM fund_entries r
          WHERE r.id = NEW.reverses_entry_id AND r.kind = 'payment' AND r.award_item_id IS NEW.award_item_id
          AND r.contract_id IS NEW.contract_id AND r.amount_fen >= NEW.amount_fen);
      END`);
    return;
  }
  await db.raw(`CREATE FUNCTION fund_entries_reverses_fit() RETURNS trigger AS $$
    DECLARE r fund_entries%ROWTYPE;
    BEGIN
      SELECT * INTO r FROM fund_entries WHERE id = NEW.reverses_entry_id;
      IF NOT FOUND OR r.street_office_id <> NEW.street_office_id OR r.year <> NEW.year OR r.source <> NEW.source THEN
        RAISE EXCEPTION '${ACCOUNT}';
      END IF;
      IF NEW.kind = 'reversal' AND (r.kind <> 'allocation' OR r.amount_fen <> NEW.amount_fen) THEN
        RAISE EXCEPTION '${REVERSAL}';
      END IF;
      IF NEW.kind = 'payment_reversal' AND (r.kind <> 'payment' OR r.award_item_id IS DISTINCT FROM NEW.award_item_id
          OR r.contract_id IS DISTINCT FROM NEW.contract_id OR r.amount_fen < NEW.amount_fen) THEN
        RAISE EXCEPTION '${PAYMENT}';
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql`);
  await db.raw(`CREATE TRIGGER fund_entries_reverses_fit BEFORE INSERT ON fund_entries
    FOR EACH ROW WHEN (NEW.reverses_entry_id IS NOT NULL) EXECUTE FUNCTION fund_entries_reverses_fit()`);
}

export async function down(db: Knex): Promise<void> {
  if (db.client.config.client === 'sqlite3') {
    await db.raw('DROP TRIGGER IF EXISTS fund_entries_reverses_fit');
    return;
  }
  await db.raw('DROP TRIGGER IF EXISTS fund_entries_reverses_fit ON fund_entries');
  await db.raw('DROP FUNCTION IF EXISTS fund_entries_reverses_fit()');
}
