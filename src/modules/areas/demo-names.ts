import { pick } from '../../platform/geo/seeded-random.ts'

// Syllables that read like English place names without being any real place in particular.
const STARTS = [
  'Ash', 'Brad', 'Kel', 'Thorn', 'Mar', 'Hal', 'Wen', 'Ell', 'Stan', 'Rad', 'Bur', 'Cal', 'Hol', 'Lang', 'Ox', 'Pen',
  'Sel', 'Whit', 'Ald', 'Bec', 'Cros', 'Dun', 'Fen', 'Gar', 'Hart', 'Kirk', 'Ling', 'Mel', 'Ned', 'Orm', 'Pil', 'Ros',
  'Sax', 'Tad', 'Ulver', 'Wyn', 'Yar', 'Ack', 'Bram', 'Chel', 'Dal', 'Eg', 'Fair', 'Grim', 'Hes', 'Ick', 'Lud', 'Nor',
]
const MIDDLES = ['', '', '', '', 'ing', 'er', 'el', 'en', 'le', 'ow']
const ENDS = [
  'ton', 'by', 'ham', 'ford', 'ley', 'wick', 'thorpe', 'field', 'bridge', 'dale', 'moor', 'stead', 'worth', 'den',
  'hurst', 'combe', 'mere', 'holme', 'side', 'gate', 'burn', 'well', 'cote', 'stow',
]
const VILLAGE_PREFIXES = ['Upper ', 'Lower ', 'Great ', 'Little ', 'North ', 'South ', 'East ', 'West ', 'High ']
const DISTRICT_SUFFIXES = [' Vale', ' and District', ' Moors', ' Valley', ' Coast', ' Borough', ' Fells', ' Wolds']

/** Makes unique fictional names from one random source. */
export function createNamer(random: () => number) {
  const used = new Set<string>()
  const fresh = (make: () => string): string => {
    for (;;) {
      const name = make()
      if (!used.has(name.toLowerCase())) {
        used.add(name.toLowerCase())
        return name
      }
    }
  }
  const stem = () => {
    const start = pick(random, STARTS)
    const end = pick(random, ENDS)
    // Avoid doubled letters at the join ("Kellley"), which look like typos.
    const middle = pick(random, MIDDLES)
    return `${start}${middle}${end}`.replace(/(.)\1\1/g, '$1$1')
  }
  return {
    /** a town name: "Kelmoor" */
    town: () => fresh(stem),
    /** a village name, sometimes with a prefix: "Little Ashby" */
    village: () => fresh(() => (random() < 0.3 ? pick(random, VILLAGE_PREFIXES) : '') + stem()),
    /** a district name built on a town's name: "Kelmoor Vale" */
    district: (town: string) => fresh(() => town + pick(random, DISTRICT_SUFFIXES)),
  }
}

/** A URL-friendly id from a name: "Little Ashby" → "little-ashby". */
export const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
