import { describe, expect, it } from 'vitest';
import { iconExtension, iconStoredName, isUploadedIcon, sniffIcon } from './icons.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const JPG = Buffer.from('ffd8ffe000104a464946', 'hex');
const ICO = Buffer.from('0000010001001010000001002000', 'hex');
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]);
const SVG = Buffer.from('\uFEFF<?xml version="1.0"?><!-- c --><!DOCTYPE svg><svg xmlns="http://www.w3.org/2000/svg"/>');

describe('icon rules', () => {
  it('sniffs formats by their leading bytes', () => {
    expect([PNG, JPG, ICO, WEBP, SVG, Buffer.from('GIF87a..')].map(sniffIcon)).toEqual(['png', 'jpg', 'ico', 'webp', 'svg', 'gif']);
    for (const b of [Buffer.alloc(0), Buffer.from('<html><svg/></html>'), Buffer.from('RIFF0000WAVE'), Buffer.from('%PDF-1.4')]) expect(sniffIcon(b)).toBeUndefined();
  });
  it('extension: named and allowed, or inferred when the name has none; content and declared type must agree', () => {
    expect(iconExtension('Logo.JPEG', 'image/jpeg', JPG)).toBe('jpeg');
    expect(iconExtension('logo.jpg', undefined, JPG)).toBe('jpg');
    expect(iconExtension('blob', 'application/octet-stream', WEBP)).toBe('webp');
    expect(iconExtension('dir/../logo.ico', 'image/vnd.microsoft.icon', ICO)).toBe('ico');
    expect(iconExtension('logo.png', 'image/gif', PNG)).toBeUndefined();
    expect(iconExtension('logo.gif', 'image/gif', PNG)).toBeUndefined();
    expect(iconExtension('logo.exe', '', PNG)).toBeUndefined();
    expect(iconExtension('logo.', '', PNG)).toBeUndefined();
    expect(iconExtension('.png', '', PNG)).toBe('png');
  });
  it('stored names are generated; only those count as uploads', () => {
    expect(iconStoredName('my-src', 'abc123', 'png')).toBe('source-icons/my-src_abc123.png');
    expect(iconStoredName('../x y', 'a/b', 'svg')).toBe('source-icons/___x_y_ab.svg');
    expect(isUploadedIcon('source-icons/my-src_abc123.png')).toBe(true);
    for (const v of [null, '', 'https://x/y.png', 'source-icons/../secret_key', 'source-icons/a/b.png', 'source-icons/x.html', 'other/x.png']) {
      expect(isUploadedIcon(v)).toBe(false);
    }
  });
});
