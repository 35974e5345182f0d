import { csvCell, csvLine } from './csv';

describe('csv', () => {
  it('leaves plain text and numbers alone, and writes null as an empty cell', () => {
    expect(csvLine(['OTO#K7Q2ZD', 42, null, 'left'])).toBe('OTO#K7Q2ZD,42,,left\r\n');
  });

  it('quotes cells with a quote, comma or line break, doubling quotes', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\r')).toBe('"cr\r"');
  });

  it('neutralises cells a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1+2')).toBe("'-1+2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
    // Numbers are written as numbers, never prefixed.
    expect(csvCell(-5)).toBe('-5');
  });
});
