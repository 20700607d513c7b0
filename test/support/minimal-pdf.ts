/**
 * A one-page PDF with the given lines in Helvetica (a standard font: nothing to embed), the first
 * line larger, as a title. Enough for examples that need "a PDF"; parser tests build their own.
 */
export function buildMinimalPdf(lines: readonly string[], options: { title?: string } = {}): Uint8Array {
  const escape = (text: string) => text.replace(/[\\()]/g, '\\$&');
  const content = lines
    .map((line, index) => `BT /F1 ${index === 0 ? 18 : 11} Tf 72 ${720 - index * 24} Td (${escape(line)}) Tj ET`)
    .join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [4 0 R] /Count 1 >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
  ];
  if (options.title !== undefined) objects.push(`<< /Title (${escape(options.title)}) >>`);
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(pdf.length);
    pdf += `${index + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  pdf += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  const info = options.title !== undefined ? ` /Info ${objects.length} 0 R` : '';
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R${info} >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(pdf, 'latin1'));
}
