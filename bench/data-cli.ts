import { openBenchSet } from './data';

/** `npm run bench:data -- --scale 0.01`: generates (or finds) the set of that scale; DATABASE_URL for PostgreSQL. */
export function scaleArg(argv: string[], fallback: number): number {
  const i = argv.indexOf('--scale');
  const raw = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--scale='))?.slice(8);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!(n > 0 && n <= 1)) throw new Error(`--scale takes a number in (0, 1], got "${raw}"`);
  return n;
}

if (require.main === module) {
  openBenchSet(scaleArg(process.argv.slice(2), 1))
    .then((set) => set.db.destroy())
    .catch((err) => {
      // A failed bulk insert's message holds the whole statement: the first lines say enough.
      const text = String(err instanceof Error ? (err.stack ?? err.message) : err);
      console.error(text.length > 1500 ? `${text.slice(0, 300)} … ${text.slice(-1200)}` : text);
      process.exit(1);
    });
}
