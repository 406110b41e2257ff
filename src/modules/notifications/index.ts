/** What other modules may use of notifications: announce an event to users inside the transaction of
 *  the change (`notify`), and find whom to tell (`staffOf` an organization, `managersOf` a street). */
export { notify, staffOf, managersOf, type NotificationInput } from './service';
