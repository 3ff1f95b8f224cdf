import { excerptCatalogue } from './excerpt';

// The attack catalogue's table cut down to a few named rows, as exercise 5 shows it.
describe('an excerpt of the attack catalogue', () => {
  const output = [
    '',
    'mode: what it is',
    '',
    '  attack        │ what it tries     │ expected │ ms',
    '  ──────────────┼───────────────────┼──────────┼───',
    '  Controls',
    '  Valid token   │ The valid token.  │ accepted │ 10',
    '  Other         │ Something else,   │ accepted │  9',
    '                │ on two lines.     │          │',
    '  The key',
    '  A key of a    │ A long name over  │ refused  │  8',
    '  long name     │ two lines.        │          │',
    '  Last          │ The last row.     │ refused  │  7',
    '',
    '  all 4 rows match.',
    '',
  ].join('\n');

  it('keeps the lines above the table, the named rows under their sections, and every line after the table', () => {
    expect(excerptCatalogue(output, ['Valid token', 'A key of a long name']).split('\n')).toEqual([
      '',
      'mode: what it is',
      '',
      '  attack        │ what it tries     │ expected │ ms',
      '  ──────────────┼───────────────────┼──────────┼───',
      '  Controls',
      '  Valid token   │ The valid token.  │ accepted │ 10',
      '  … 1 row left out',
      '  The key',
      '  A key of a    │ A long name over  │ refused  │  8',
      '  long name     │ two lines.        │          │',
      '  … 1 row left out',
      '',
      '  all 4 rows match.',
      '',
    ]);
  });

  it('refuses a name the table does not print', () => {
    expect(() => excerptCatalogue(output, ['Valid token', 'A key'])).toThrow('the attack catalogue prints no row named A key');
  });
});
