import type { Knex } from 'knex';
import type { Config } from './config';
import type { Clock } from './shared/clock';

/** What createApp needs from outside; tests pass a fresh database and a test clock. */
export interface AppDeps {
  config: Config;
  db: Knex;
  clock: Clock;
}
