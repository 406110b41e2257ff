import path from 'node:path';
import express from 'express';
import { rootDir } from '../src/config';

/**
 * The floor the app's pages are measured against: a bare Express 5 + EJS server (view cache on, no
 * session, no database, no logging) rendering from memory a page of the requested size,
 * GET /page/<bytes>. Started as its own process, like the app, so both share the machine alike.
 */
const ROW = {
  name: '南京市玄武区阳光社区服务中心居家养老上门服务项目',
  street: '玄武区梅园新村街道办事处',
  amount: '¥1,234,567.89',
  date: '2026-12-01',
};

export function baselineApp(): express.Express {
  const app = express();
  app.set('view engine', 'ejs');
  app.set('views', path.join(rootDir, 'bench', 'views'));
  app.set('view cache', true);
  app.disable('x-powered-by');
  const rowsFor = new Map<number, (typeof ROW)[]>();
  // One row renders to about 180 bytes (UTF-8); the page frame to about 400.
  const rowBytes = Buffer.byteLength(
    `<tr><td>${ROW.name}</td><td>${ROW.street}</td><td>${ROW.amount}</td><td>${ROW.date}</td></tr>\n`,
  );
  app.get('/page/:bytes', (req, res) => {
    const bytes = Math.min(5_000_000, Math.max(0, Number(req.params.bytes) || 0));
    let rows = rowsFor.get(bytes);
    if (!rows)
      rowsFor.set(bytes, (rows = Array.from({ length: Math.max(0, Math.round((bytes - 420) / rowBytes)) }, () => ROW)));
    res.render('baseline', { title: '基准页面', rows });
  });
  return app;
}

if (require.main === module) {
  const port = Number(process.env.PORT ?? 3318);
  baselineApp().listen(port, '127.0.0.1', () => console.log(`baseline on ${port}`));
}
