import type { TFunction } from 'i18next';
import { hasKey, type Language } from '../../web/i18n';
import { actionName } from '../audit-trail';

/**
 * The label of an audit action on a contract's page, in the reader's language: every
 * `contract.*` action this module writes has one under `contracts.auditAction.*` (a test holds the
 * service's actions to it); an action written by another module on the contract (a payment, a
 * report download) reads as the audit trail names it.
 */
export function auditActionLabel(t: TFunction, lang: Language, action: string): string {
  const key = action.startsWith('contract.') ? `contracts.auditAction.${action.slice('contract.'.length)}` : null;
  return key && hasKey(key, lang) ? t(key) : actionName(action, lang);
}
