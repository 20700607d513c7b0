/**
 * The shell examples of a Markdown file: every ```sh block, unless an HTML comment right above it
 * says `<!-- readme-test: skip (why) -->`. `<!-- readme-test: after-server -->` runs a block after
 * the server has stopped (commands that need the embedded data folder to themselves).
 */
export interface ReadmeBlock {
  /** 1-based line of the opening fence, for messages. */
  readonly line: number;
  readonly directive: 'run' | 'skip' | 'after-server';
  readonly reason: string | null;
  /** One entry per command: continuation lines joined, blank and comment-only lines dropped. */
  readonly commands: readonly string[];
}

const directivePattern = /^<!--\s*readme-test:\s*(skip|after-server)\s*(?:\((.*)\))?\s*-->$/;

export function parseReadmeExamples(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    if (lines[index]!.trim() !== '```sh') continue;
    const opening = index;
    const body: string[] = [];
    for (index += 1; index < lines.length && lines[index]!.trim() !== '```'; index += 1) body.push(lines[index]!);
    const above = lines[opening - 1]?.trim() ?? '';
    const directive = directivePattern.exec(above);
    const commands: string[] = [];
    let pending = '';
    for (const line of body) {
      if (pending === '' && (line.trim() === '' || line.trim().startsWith('#'))) continue;
      if (line.endsWith('\\')) {
        pending += `${line.slice(0, -1)} `;
        continue;
      }
      commands.push((pending + line).trim());
      pending = '';
    }
    blocks.push({
      line: opening + 1,
      directive: (directive?.[1] as 'skip' | 'after-server' | undefined) ?? 'run',
      reason: directive?.[2] ?? null,
      commands,
    });
  }
  return blocks;
}

/** `NAME=value   # comment` alone on a line: a shell variable the following commands use. */
export function parseAssignment(command: string): { name: string; value: string } | null {
  const match = /^([A-Z_][A-Z0-9_]*)=(\S*)\s*(?:#.*)?$/.exec(command);
  return match ? { name: match[1]!, value: match[2]! } : null;
}
