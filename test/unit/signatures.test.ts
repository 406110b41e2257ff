import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { detectKind } from '../../src/files/signatures';
import { minimalPdf } from '../helpers/pdf-fixture';

const pdf = minimalPdf('1.7');
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);

describe('upload signatures', () => {
  it('accepts a file whose content matches its extension', () => {
    expect(detectKind('证书.pdf', pdf)?.mime).toBe('application/pdf');
    expect(detectKind('photo.PNG', png)?.mime).toBe('image/png');
  });

  it('refuses a file whose content does not match its extension', () => {
    expect(detectKind('certificate.pdf', png)).toBeUndefined();
    expect(detectKind('script.docx', Buffer.from('#!/bin/sh\nrm -rf /'))).toBeUndefined();
  });

  it('refuses extensions that are not on the list', () => {
    expect(detectKind('page.html', Buffer.from('<html>'))).toBeUndefined();
    expect(detectKind('noextension', pdf)).toBeUndefined();
  });
});

describe('PDF structure', () => {
  async function realPdf(): Promise<Buffer> {
    const { default: PDFDocument } = await import('pdfkit');
    const doc = new PDFDocument();
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
    doc.text('Streetfund upload check');
    doc.end();
    await done;
    return Buffer.concat(chunks);
  }

  it('accepts a real PDF, one that pdf-parse reads', async () => {
    const real = await realPdf();
    expect(detectKind('方案.pdf', real)?.mime).toBe('application/pdf');
    // pdf-parse (pdf.js) sets up its worker with a dynamic import that jest's VM refuses, so it reads
    // the file in a plain node process.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sf-pdf-'));
    fs.writeFileSync(path.join(dir, 'real.pdf'), real);
    const script = `const { PDFParse } = require('pdf-parse'); new PDFParse({ data: new Uint8Array(require('fs').readFileSync(process.argv[1])) }).getText().then((r) => process.stdout.write(r.text));`;
    const text = execFileSync(process.execPath, ['-e', script, path.join(dir, 'real.pdf')], {
      cwd: path.join(__dirname, '..', '..'),
      encoding: 'utf8',
    });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(text).toContain('Streetfund upload check');
  });

  it('refuses %PDF- followed by HTML, even with a PDF-like tail', () => {
    const polyglot = Buffer.from(
      '%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n',
    );
    expect(detectKind('notice.pdf', polyglot)).toBeUndefined();
    expect(detectKind('notice.pdf', Buffer.from('%PDF-<!DOCTYPE html><p>hi</p>'))).toBeUndefined();
  });

  it('refuses HTML hidden past the first kilobyte, and words that only spell a PDF without a cross-reference to follow', () => {
    const valid = minimalPdf().toString('latin1');
    const padded = valid.replace('1 0 obj', `%${'x'.repeat(1200)}\n<html><script>alert(1)</script></html>\n1 0 obj`);
    expect(detectKind('padded.pdf', Buffer.from(padded, 'latin1'))).toBeUndefined();
    expect(
      detectKind('words.pdf', Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\nstartxref\n9999\n%%EOF\n')),
    ).toBeUndefined();
    expect(
      detectKind('nowhere.pdf', Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\nstartxref\n3\n%%EOF\n')),
    ).toBeUndefined();
    expect(detectKind('valid.pdf', minimalPdf())).toBeDefined();
  });

  it('refuses a PDF without its %%EOF trailer (cut off) or without any object', async () => {
    const real = await realPdf();
    expect(detectKind('cut.pdf', real.subarray(0, real.length - 100))).toBeUndefined();
    expect(detectKind('empty.pdf', Buffer.from('%PDF-1.4\n%%EOF\n'))).toBeUndefined();
    expect(detectKind('version.pdf', Buffer.from('%PDF-x\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'))).toBeUndefined();
  });
});
