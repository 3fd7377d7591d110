// Plain-text tables for the terminal.

/** Lines of a table with a header row; columns flagged in `alignRight` (numbers) are right-aligned. */
export function formatTable(headers: string[], rows: string[][], alignRight: boolean[] = []): string[] {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (alignRight[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}
