/**
 * Progress of the generator: on a terminal one redrawn line per table (rows, rate, time left); when
 * not a terminal (CI, a log file) a plain line at start, every 10 s and at the end of each table.
 */
export class Progress {
  private table = '';
  private total = 0;
  private done = 0;
  private started = 0;
  private lastPrint = 0;
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  start(table: string, total: number): void {
    this.table = table;
    this.total = total;
    this.done = 0;
    this.started = Date.now();
    this.lastPrint = 0;
    if (!this.tty) this.out.write(`${table}: ${total.toLocaleString('en')} rows\n`);
  }

  add(rows: number): void {
    this.done += rows;
    const now = Date.now();
    if (this.tty ? now - this.lastPrint > 100 : now - this.lastPrint > 10_000) {
      this.lastPrint = now;
      this.print(false);
    }
  }

  finish(): void {
    this.print(true);
  }

  private print(final: boolean): void {
    const seconds = Math.max(0.001, (Date.now() - this.started) / 1000);
    const rate = this.done / seconds;
    const left = rate > 0 ? Math.max(0, (this.total - this.done) / rate) : 0;
    const pct = this.total ? Math.min(100, (100 * this.done) / this.total) : 100;
    const width = 24;
    const bar = '#'.repeat(Math.round((pct / 100) * width)).padEnd(width, '.');
    const text = `${this.table.padEnd(22)} [${bar}] ${this.done.toLocaleString('en').padStart(10)}/${this.total.toLocaleString('en')} ${Math.round(rate).toLocaleString('en').padStart(8)} rows/s ${final ? `${seconds.toFixed(1)} s` : `${left.toFixed(0)} s left`}`;
    if (this.tty) this.out.write(`\r${text}${final ? '\n' : ''}`);
    else if (final || this.done < this.total) this.out.write(`${text}\n`);
  }
}
