/**
 * A few rows of the attack catalogue's terminal table, by the names it prints: the lines above the table, each named
 * row under its section's line, one `… N rows left out` line where rows are left out, and every line after the table.
 * A name the table does not print is an error, so a renamed attack cannot drop out of the page unseen.
 *
 * @example
 * excerptCatalogue(stdout, ['alg "none"', 'A retired key']);
 */
export function excerptCatalogue(output: string, names: readonly string[]): string {
  const lines = output.split('\n');
  const separator = lines.findIndex((line) => line.includes('┼'));
  if (separator === -1) throw new Error('the attack catalogue printed no table');
  const end = lines.findIndex((line, i) => i > separator && line.trim() === '');
  const body = lines.slice(separator + 1, end === -1 ? lines.length : end);

  // A section is a line without a cell; a row begins where its "expected" cell (the third) is written, and goes on
  // over the lines that continue its cells.
  const sections: { readonly title: string; readonly rows: { name: string; readonly lines: string[] }[] }[] = [];
  for (const line of body) {
    const cells = line.split('│');
    if (cells.length === 1) {
      sections.push({ title: line, rows: [] });
      continue;
    }
    if (sections.length === 0) sections.push({ title: '', rows: [] });
    const { rows } = sections.at(-1)!;
    const name = cells[0]!.trim();
    const row = rows.at(-1);
    if (!row || (cells[2] ?? '').trim() !== '') rows.push({ name, lines: [line] });
    else {
      row.lines.push(line);
      if (name) row.name = `${row.name} ${name}`;
    }
  }

  const printed = new Set(sections.flatMap((section) => section.rows.map((row) => row.name)));
  const unknown = names.filter((name) => !printed.has(name));
  if (unknown.length > 0) throw new Error(`the attack catalogue prints no row named ${unknown.join(', ')}`);

  const shown = [...lines.slice(0, separator + 1)];
  let left = 0;
  const leaveOut = () => {
    if (left > 0) shown.push(`  … ${left} ${left === 1 ? 'row' : 'rows'} left out`);
    left = 0;
  };
  for (const section of sections) {
    const kept = section.rows.filter((row) => names.includes(row.name));
    if (kept.length === 0) {
      left += section.rows.length;
      continue;
    }
    leaveOut();
    if (section.title) shown.push(section.title);
    for (const row of section.rows) {
      if (!names.includes(row.name)) {
        left += 1;
        continue;
      }
      leaveOut();
      shown.push(...row.lines);
    }
  }
  leaveOut();
  return [...shown, ...(end === -1 ? [] : lines.slice(end))].join('\n');
}
