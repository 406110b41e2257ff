import type { Knex } from 'knex';

// Calls for bids (项目/招标公告) and venture calls (公益创投) of a street office. Times are ISO UTC
// strings; "closed" is not stored: a published call is closed once the clock reaches closes_at.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('calls', (t) => {
    t.increments('id');
    t.integer('street_office_id').unsigned().notNullable().references('street_offices.id');
    t.integer('catalog_item_id').unsigned().notNullable().references('catalog_items.id');
    t.string('title', 200).notNullable();
    t.text('description').notNullable();
    t.string('funding_mode', 30).notNullable();
    t.string('method', 30).notNullable();
    t.bigInteger('budget_fen').notNullable();
    t.integer('budget_year').notNullable();
    t.bigInteger('per_project_cap_fen').nullable();
    t.string('opens_at', 24).notNullable();
    t.string('closes_at', 24).notNullable();
    t.integer('weight_self').notNullable();
    t.integer('weight_manager').notNullable();
    t.integer('weight_peer').notNullable();
    t.integer('weight_citizen').notNullable();
    t.integer('weight_third_party').notNullable();
    t.integer('publicity_days').notNullable();
    t.string('status', 20).notNullable().defaultTo('draft');
    t.string('published_at', 24).nullable();
    t.string('cancelled_at', 24).nullable();
    t.string('cancel_reason', 500).nullable();
    t.integer('created_by').unsigned().nullable().references('users.id');
    t.string('created_at', 24).notNullable();
    t.string('updated_at', 24).notNullable();
    t.check(
      'weight_self + weight_manager + weight_peer + weight_citizen + weight_third_party = 100',
      [],
      'calls_evaluation_weights_sum',
    );
    t.check('budget_fen > 0', [], 'calls_budget_positive');
    t.check(
      'per_project_cap_fen is null or (per_project_cap_fen > 0 and per_project_cap_fen <= budget_fen)',
      [],
      'calls_cap_within_pool',
    );
    // Public list: by status, sorted by closing time; a street office's own list; calls of an item.
    t.index(['status', 'closes_at'], 'calls_status_closes_idx');
    t.index(['street_office_id', 'status', 'closes_at'], 'calls_street_status_idx');
    t.index(['catalog_item_id'], 'calls_item_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('calls');
}
