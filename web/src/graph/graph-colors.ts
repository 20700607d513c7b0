/** A palette readable on light and dark backgrounds (Mantine's 6th shades). */
export const palette = [
  '#12b886',
  '#228be6',
  '#be4bdb',
  '#fd7e14',
  '#fa5252',
  '#40c057',
  '#7950f2',
  '#15aabf',
  '#e64980',
  '#fab005',
  '#4c6ef5',
  '#82c91e',
];

/** A stable colour per value: the same type or community always gets the same colour. */
export function colorFor(value: string | number | null): string {
  if (value === null) return '#868e96';
  const text = String(value);
  let hash = 0;
  for (let index = 0; index < text.length; index += 1) hash = (hash * 31 + text.charCodeAt(index)) | 0;
  return palette[Math.abs(hash) % palette.length]!;
}
