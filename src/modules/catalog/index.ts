/** What other modules may use of the catalogue: its items and categories, the procurement methods, and
 *  who may use an item. The routes are mounted by src/app.ts from ./routes. */
export { listCategories, usableItems, type CatalogItemRow, type CatalogItemView } from './queries';
export { PROCUREMENT_METHODS, methodsFromColumn, yearField, type ProcurementMethod } from './schemas';
export { itemUsableBy } from './policy';
export { parseModuleForm } from './form';
export { itemState, type ItemState } from './items';
