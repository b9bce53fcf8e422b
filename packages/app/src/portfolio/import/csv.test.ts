import { describe, expect, it } from 'vitest';
import { detectDelimiter, readCsv } from './csv.js';
import { ImportFormatError } from './types.js';

const lines = (text: string) => readCsv(text).records.map((record) => [record.line, record.cells]);

describe('readCsv', () => {
  it('drops a UTF-8 BOM and trims cells', () => {
    expect(lines('\uFEFFa , b\n 1,2 \n')).toEqual([
      [1, ['a', 'b']],
      [2, ['1', '2']],
    ]);
  });

  it('numbers records by the physical line they start on, with LF, CRLF or CR line ends', () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      const text = ['h1,h2', '', 'a,"one', 'two', 'three"', '', '', 'b,2', 'c,"x""y"'].join(eol);
      expect(lines(text), JSON.stringify(eol)).toEqual([
        [1, ['h1', 'h2']],
        [3, ['a', `one${eol}two${eol}three`]],
        [8, ['b', '2']],
        [9, ['c', 'x"y']],
      ]);
    }
  });

  it('keeps quoted delimiters and doubled quotes, and tolerates ragged rows and trailing empty columns', () => {
    expect(lines('a,b,c\n"1,5","say ""hi""",3,,,\n4\n')).toEqual([
      [1, ['a', 'b', 'c']],
      [2, ['1,5', 'say "hi"', '3', '', '', '']],
      [3, ['4']],
    ]);
  });

  it('skips rows whose cells are all blank, as spreadsheets write them', () => {
    expect(lines('a,b\n,,\n  ,\n1,2\n')).toEqual([
      [1, ['a', 'b']],
      [4, ['1', '2']],
    ]);
  });

  it('reads a stray quote inside an unquoted field as text', () => {
    expect(lines('note\n5" screen\n')).toEqual([
      [1, ['note']],
      [2, ['5" screen']],
    ]);
  });

  it('refuses a quote that is never closed, naming the line it opens on', () => {
    const text = 'a,b\r\n1,"x\r\ny"\r\n2,"never closed\r\n3,4\r\n';
    expect(() => readCsv(text)).toThrow(ImportFormatError);
    try {
      readCsv(text);
    } catch (error) {
      expect(error).toMatchObject({ code: 'MALFORMED_CSV', details: { row: 4 } });
      expect((error as Error).message).toContain('line 4');
    }
  });

  it('counts lines after multi-byte characters correctly', () => {
    expect(lines('name,x\nÜberweisung €,1\n"Gebühr\n✓",2\nz,3\n').map(([line]) => line)).toEqual([1, 2, 3, 5]);
  });

  it('reads ; and tab delimited files', () => {
    expect(readCsv('a;b\n"1;5";2\n')).toMatchObject({
      delimiter: ';',
      records: [{ cells: ['a', 'b'] }, { cells: ['1;5', '2'] }],
    });
    expect(readCsv('a\tb\n1,5\t2\n').records[1].cells).toEqual(['1,5', '2']);
  });
});

describe('detectDelimiter', () => {
  it('looks at the first line with content, outside quotes', () => {
    expect(detectDelimiter('a,b,c\n1;2;3;4;5\n')).toBe(',');
    expect(detectDelimiter('\n\n"x,y";b;c\n')).toBe(';');
    expect(detectDelimiter('a\tb\tc\n')).toBe('\t');
    expect(detectDelimiter('single\n')).toBe(',');
  });
});
