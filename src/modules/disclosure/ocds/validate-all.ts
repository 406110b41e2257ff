import type { Queryable } from '../../../db/knex';
import { fundedStreetYears } from '../../funds';
import { allPublishedCallIds, callData, publishedCallIds } from './data';
import { bulkPackageChunks, ocidOf, recordPackage, releasePackage, type OcdsSettings } from './release';
import { recordPackageErrors, releasePackageErrors } from './validate';

export interface ValidationReport {
  packages: number;
  errors: { package: string; error: string }[];
}

/** Builds and validates every package the database can produce: a release and a record package per
 *  published call, and the bulk package of every street office and fund year that has calls. */
export async function validateAllPackages(db: Queryable, s: OcdsSettings, now: Date): Promise<ValidationReport> {
  const report: ValidationReport = { packages: 0, errors: [] };
  const check = (name: string, errors: string[]) => {
    report.packages += 1;
    for (const error of errors) report.errors.push({ package: name, error });
  };
  for (const id of await allPublishedCallIds(db)) {
    const data = await callData(db, id, now);
    if (!data) continue;
    check(`/ocds/releases/${ocidOf(s, id)}.json`, releasePackageErrors(releasePackage(data, s, now)));
    check(`/ocds/records/${ocidOf(s, id)}.json`, recordPackageErrors(recordPackage(data, s, now)));
  }
  for (const { street_office_id: street, year } of await fundedStreetYears(db)) {
    const ids = await publishedCallIds(db, street, year);
    if (!ids.length) continue;
    const name = `/ocds/packages/${street}-${year}.json`;
    let text = '';
    for await (const chunk of bulkPackageChunks(db, s, `${s.baseUrl}${name}`, ids, now)) text += chunk;
    check(name, releasePackageErrors(JSON.parse(text)));
  }
  return report;
}
