import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { rootDir } from '../../../config';

/**
 * Validation against the official OCDS 1.1.5 schemas (JSON Schema draft-04), shipped in
 * shared/standards/ocds-1.1.5 and copied under the module (schema/) so the app does not depend on a
 * folder outside the repository. Also checks every value of an open codelist we use (the closed
 * ones are enums in the schema already) against the codelist CSVs.
 */

const SCHEMA_DIR = path.join(rootDir, 'src', 'modules', 'disclosure', 'ocds', 'schema');

let compiled: { release: ValidateFunction; record: ValidateFunction } | undefined;

function load(): { release: ValidateFunction; record: ValidateFunction } {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
  addFormats(ajv);
  const read = (f: string) => JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, f), 'utf8'));
  ajv.addSchema(read('release-schema.json'));
  ajv.addSchema(read('versioned-release-validation-schema.json'));
  compiled = {
    release: ajv.compile(read('release-package-schema.json')),
    record: ajv.compile(read('record-package-schema.json')),
  };
  return compiled;
}

function codes(name: string): Set<string> {
  const [header, ...lines] = fs.readFileSync(path.join(SCHEMA_DIR, 'codelists', `${name}.csv`), 'utf8').split(/\r?\n/);
  // The code is the column named Code (documentType.csv starts with Category). Codes never hold commas or quotes.
  const at = header.split(',').indexOf('Code');
  return new Set(lines.map((l) => (l.split(',')[at] ?? '').replace(/^"|"$/g, '')).filter(Boolean));
}

type Json = Record<string, unknown>;

/** Open codelists: partyRole, milestoneType, documentType, currency, submissionMethod. */
function codelistErrors(releases: Json[]): string[] {
  const lists = {
    partyRole: codes('partyRole'),
    milestoneType: codes('milestoneType'),
    documentType: codes('documentType'),
    currency: codes('currency'),
    submissionMethod: codes('submissionMethod'),
  };
  const errors: string[] = [];
  const walk = (node: unknown, where: string) => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${where}/${i}`));
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node as Json)) {
      const at = `${where}/${k}`;
      if (k === 'roles' && Array.isArray(v))
        v.forEach((r) => !lists.partyRole.has(String(r)) && errors.push(`${at}: "${r}" is not in partyRole`));
      else if (k === 'submissionMethod' && Array.isArray(v))
        v.forEach(
          (r) => !lists.submissionMethod.has(String(r)) && errors.push(`${at}: "${r}" is not in submissionMethod`),
        );
      else if (k === 'documentType' && !lists.documentType.has(String(v)))
        errors.push(`${at}: "${v}" is not in documentType`);
      else if (k === 'currency' && !lists.currency.has(String(v))) errors.push(`${at}: "${v}" is not in currency`);
      else if (k === 'type' && where.includes('milestones') && !lists.milestoneType.has(String(v)))
        errors.push(`${at}: "${v}" is not in milestoneType`);
      else walk(v, at);
    }
  };
  releases.forEach((r, i) => walk(r, `/releases/${i}`));
  return errors;
}

/** Errors of a release package ([] when valid). */
export function releasePackageErrors(pkg: unknown): string[] {
  const v = load().release;
  const schemaErrors = v(pkg) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
  return [...schemaErrors, ...codelistErrors(((pkg as Json).releases as Json[]) ?? [])];
}

/** Errors of a record package ([] when valid). */
export function recordPackageErrors(pkg: unknown): string[] {
  const v = load().record;
  const schemaErrors = v(pkg) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
  const compiledReleases = (((pkg as Json).records as Json[]) ?? [])
    .map((r) => r.compiledRelease as Json)
    .filter(Boolean);
  return [...schemaErrors, ...codelistErrors(compiledReleases)];
}
