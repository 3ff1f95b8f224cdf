/**
 * A table as lines of text for a terminal: columns padded to their widest cell, a rule under the header, the
 * figure columns (by index) aligned right.
 *
 * @example
 * textTable(['mode', 'requests/s'], [['rs256-jwks', '2,937']], [1]).join('\n');
 */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], figures: readonly number[] = []): string[] {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (figures.includes(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '─'.repeat(width))), ...rows.map(line)];
}

const escapeCell = (text: string) => text.replace(/\|/g, '\\|');

/**
 * A table as Markdown lines, the figure columns (by index) aligned right.
 *
 * @example
 * markdownTable(['mode', 'requests/s'], [['rs256-jwks', '2,937']], [1]).join('\n');
 */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], figures: readonly number[] = []): string[] {
  const align = header.map((_, i) => (figures.includes(i) ? '---:' : '---'));
  const line = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  return [line(header), `|${align.join('|')}|`, ...rows.map(line)];
}

/**
 * A table as lines of text in the lab's boxed style, for the matrices and the detection: columns padded to their
 * widest cell and parted by `│`, a `─┼─` rule under the header.
 *
 * @example
 * boxedTable(['target', 'answer'], [['mobile-api', 'refused 401']]).join('\n');
 */
export function boxedTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((text, i) => text.padEnd(widths[i]!))
      .join(' │ ')
      .trimEnd();
  return [line(header), widths.map((width) => '─'.repeat(width)).join('─┼─'), ...rows.map(line)];
}
