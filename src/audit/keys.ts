import crypto from 'node:crypto';
import { loadConfig } from '../config';

let configuredKey: string | null = null;

/** Sets the key of the audit chain and the sealed logs (server start and createApp do, from config.auditKey). */
export function useAuditKey(key: string): void {
  if (key.length < 32) throw new Error('the audit key must be at least 32 characters');
  configuredKey = key;
}

/** The key; when nobody set it (a CLI, a unit test), the one the configuration resolves. */
export function auditKey(): string {
  if (!configuredKey) configuredKey = loadConfig().auditKey;
  return configuredKey;
}

/** HMAC-SHA256 under the audit key of a JSON array of parts. */
export function auditMac(parts: unknown[], key = auditKey()): string {
  return crypto.createHmac('sha256', key).update(JSON.stringify(parts)).digest('hex');
}
