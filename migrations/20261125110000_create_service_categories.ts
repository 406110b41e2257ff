import type { Knex } from 'knex';

// The categories of services the government buys, from the source document (养老助残, 社会救助,
// 法律援助, 慈善救济, 社区服务). Reference data: created with the table, so every database has them.
export const SERVICE_CATEGORIES = [
  { code: 'elderly_disability', name_zh: '养老助残', name_en: 'Elderly care and disability help', sort_order: 1 },
  { code: 'social_assistance', name_zh: '社会救助', name_en: 'Social assistance', sort_order: 2 },
  { code: 'legal_aid', name_zh: '法律援助', name_en: 'Legal aid', sort_order: 3 },
  { code: 'charity_relief', name_zh: '慈善救济', name_en: 'Charity relief', sort_order: 4 },
  { code: 'culture_education', name_zh: '社区文化教育', name_en: 'Community culture and education', sort_order: 5 },
  { code: 'governance_support', name_zh: '社区治理支持', name_en: 'Community governance support', sort_order: 6 },
];

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('service_categories', (t) => {
    t.increments('id');
    t.string('code', 40).notNullable().unique();
    t.string('name_zh', 100).notNullable();
    t.string('name_en', 100).notNullable();
    t.integer('sort_order').notNullable();
  });
  await db('service_categories').insert(SERVICE_CATEGORIES);
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('service_categories');
}
