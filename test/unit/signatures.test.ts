import { detectKind } from '../../src/files/signatures';

const pdf = Buffer.from('%PDF-1.7\n...');
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
