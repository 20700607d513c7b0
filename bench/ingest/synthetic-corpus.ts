/**
 * Deterministic synthetic Markdown for ingestion benchmarks and crash tests: paragraphs of plain
 * English sentences naming people, places and organisations. Most mentions name a shared "hub"
 * person drawn with a skewed (Zipf-like) distribution from up to 1,200 names, so a few names recur
 * across many documents and pairs repeat; the rest name people of the document's own, so the graph
 * also has the long tail of a real corpus rather than a small dense core.
 */

const firstNames = [
  'Ada',
  'Charles',
  'Grace',
  'Alan',
  'Henrietta',
  'Bartholomew',
  'Marie',
  'Niels',
  'Lise',
  'Emmy',
  'Kurt',
  'Srinivasa',
  'Rosalind',
  'Enrico',
  'Dorothy',
  'Werner',
  'Chien',
  'Satyendra',
  'Hedy',
  'Barbara',
  'Edsger',
  'Katherine',
  'Tim',
  'Margaret',
  'Claude',
  'Sophie',
  'John',
  'Frances',
  'Radia',
  'Donald',
];
const lastNames = [
  'Lovelace',
  'Babbage',
  'Hopper',
  'Turing',
  'Walcott',
  'Quist',
  'Curie',
  'Bohr',
  'Meitner',
  'Noether',
  'Goedel',
  'Ramanujan',
  'Franklin',
  'Fermi',
  'Hodgkin',
  'Heisenberg',
  'Wu',
  'Bose',
  'Lamarr',
  'Liskov',
  'Dijkstra',
  'Johnson',
  'Berners',
  'Hamilton',
  'Shannon',
  'Wilson',
  'Backus',
  'Allen',
  'Perlman',
  'Knuth',
  'Okonkwo',
  'Lindqvist',
  'Marchetti',
  'Abernathy',
  'Kowalczyk',
  'Delacroix',
  'Nakamura',
  'Vasquez',
  'Thorvald',
  'Iwasaki',
];
const places = [
  'London',
  'Paris',
  'Cambridge',
  'Vienna',
  'Berlin',
  'Copenhagen',
  'Madras',
  'Princeton',
  'Zurich',
  'Geneva',
  'Edinburgh',
  'Boston',
  'Chicago',
  'Stockholm',
  'Leiden',
  'Bologna',
  'Kyoto',
  'Toronto',
  'Lagos',
  'Lisbon',
];
const organisations = [
  'Royal Society',
  'Bell Labs',
  'Analytical Engine Company',
  'Institute for Advanced Study',
  'Bletchley Park',
  'Cavendish Laboratory',
  'Niels Bohr Institute',
  'Harvard Observatory',
  'Xerox PARC',
  'Los Alamos Laboratory',
  'Max Planck Society',
  'Pasteur Institute',
  'European Southern Observatory',
  'Lick Observatory',
];
const verbs = [
  'met',
  'wrote to',
  'argued with',
  'worked beside',
  'visited',
  'corresponded with',
  'collaborated with',
  'was introduced to',
  'disagreed with',
  'taught',
];
const topics = [
  'the difference engine',
  'a new proof of the prime number theorem',
  'the measurement of stellar parallax',
  'an early compiler',
  'the structure of the atom',
  'error correcting codes',
  'the radioactivity of thorium',
  'a method for sorting punched cards',
  'the spectrum of hydrogen',
  'the design of a relay computer',
  'the statistics of gases',
  'a catalogue of variable stars',
  'the theory of computation',
  'frequency hopping',
];
const fillers = [
  'The letters that survive describe long evenings of calculation and a good deal of doubt.',
  'Nobody at the time expected the result to matter outside a small circle of specialists.',
  'The notebooks from that period are careful, dated and full of crossed-out tables.',
  'Funding was uncertain, and the workshop had to be moved twice in a single winter.',
  'Later historians disagreed about who deserved the credit for the final version.',
  'The apparatus was rebuilt from memory after the original drawings were lost in a fire.',
];

/** Small, fast, seedable PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Index in [0, size) with probability ∝ 1 / (rank + 1): a few hubs, a long tail. */
function zipf(random: () => number, size: number): number {
  const harmonic = Math.log(size) + 0.5772156649;
  const target = random() * harmonic;
  let sum = 0;
  for (let rank = 0; rank < size; rank += 1) {
    sum += 1 / (rank + 1);
    if (sum >= target) return rank;
  }
  return size - 1;
}

function pick<T>(random: () => number, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)]!;
}

/** Hub people: every first × last combination (1,200), in a fixed shuffled order. */
const hubPeople: string[] = (() => {
  const all = firstNames.flatMap((first) => lastNames.map((last) => `${first} ${last}`));
  const random = seededRandom(7);
  for (let index = all.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [all[index], all[other]] = [all[other]!, all[index]!];
  }
  return all;
})();

const syllables = [
  'ka',
  'lo',
  'mir',
  'ta',
  'ven',
  'dru',
  'sel',
  'ar',
  'quin',
  'bo',
  'ren',
  'zha',
  'tor',
  'ise',
  'mun',
];

/** The people only one document (and, by chance, a few others) mentions: a long tail. */
function localPerson(random: () => number): string {
  const surname = Array.from({ length: 3 }, () => pick(random, syllables)).join('');
  return `${pick(random, firstNames)} ${surname.charAt(0).toUpperCase()}${surname.slice(1)}`;
}

export interface SyntheticDocument {
  readonly fileName: string;
  readonly text: string;
}

export interface SyntheticOptions {
  /** Approximate size of each document in characters. */
  readonly characters: number;
  /** How many shared "hub" people the corpus draws from (at most 1,200). */
  readonly peoplePool?: number;
  /** Share of mentions that name a shared hub person rather than one of the document's own. */
  readonly hubShare?: number;
  readonly seed?: number;
}

function sentence(random: () => number, pool: number, locals: readonly string[], hubShare: number): string {
  const person = () => (random() < hubShare ? hubPeople[zipf(random, pool)]! : pick(random, locals));
  const subject = person();
  const object = person();
  const shape = random();
  if (shape < 0.45 && subject !== object) {
    return `${subject} ${pick(random, verbs)} ${object} in ${pick(random, places)} about ${pick(random, topics)}.`;
  }
  if (shape < 0.7) {
    return `At the ${pick(random, organisations)}, ${subject} presented ${pick(random, topics)} to a sceptical audience.`;
  }
  if (shape < 0.85)
    return `${subject} spent the spring of ${1820 + Math.floor(random() * 180)} in ${pick(random, places)}.`;
  return pick(random, fillers);
}

/** One Markdown document of about `characters` characters. */
export function syntheticDocument(index: number, options: SyntheticOptions): SyntheticDocument {
  const random = seededRandom((options.seed ?? 1) * 1_000_003 + index);
  const pool = Math.min(options.peoplePool ?? 1_200, hubPeople.length);
  const hubShare = options.hubShare ?? 0.6;
  // About one new person per 1,500 characters: a 30 kB document introduces some twenty.
  const locals = Array.from({ length: Math.max(2, Math.round(options.characters / 1_500)) }, () =>
    localPerson(random),
  );
  const parts: string[] = [`# Report ${index}: ${pick(random, topics)}\n`];
  let length = parts[0]!.length;
  let paragraph = 0;
  while (length < options.characters) {
    if (paragraph > 0 && paragraph % 8 === 0) {
      const heading = `## ${pick(random, places)} and ${pick(random, organisations)}\n`;
      parts.push(heading);
      length += heading.length;
    }
    const sentences = Array.from({ length: 4 + Math.floor(random() * 4) }, () =>
      sentence(random, pool, locals, hubShare),
    );
    const text = `${sentences.join(' ')}\n`;
    parts.push(text);
    length += text.length;
    paragraph += 1;
  }
  return { fileName: `report-${String(index).padStart(6, '0')}.md`, text: parts.join('\n') };
}
