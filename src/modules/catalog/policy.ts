import type { SessionUser } from '../accounts/roles';
import type { CatalogItemRow } from './queries';

/** Who keeps an item: the district administrator keeps every item (district-wide ones included);
 *  a manager keeps only the items of their own street office. Anything else is refused. */
export function canKeepItem(user: SessionUser, item: Pick<CatalogItemRow, 'street_office_id'>): boolean {
  if (user.role === 'admin') return true;
  return user.role === 'manager' && user.streetOfficeId !== null && item.street_office_id === user.streetOfficeId;
}

/** Who may add items at all: managers (for their street office) and the administrator. */
export function canAddItems(user: SessionUser | undefined): boolean {
  return !!user && (user.role === 'admin' || (user.role === 'manager' && user.streetOfficeId !== null));
}

/** An item a call of this street office may be drafted from: its own or a district-wide one. */
export function itemUsableBy(streetOfficeId: number, item: Pick<CatalogItemRow, 'street_office_id'>): boolean {
  return item.street_office_id === null || item.street_office_id === streetOfficeId;
}
