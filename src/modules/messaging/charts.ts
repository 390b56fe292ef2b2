/**
 * Server-side SVG charts for the reports pages. Each chart is an image with a title and a
 * description (role="img", aria-labelledby), always placed next to the table holding the same
 * figures, which is the accessible and exact version. No style attributes (the CSP allows
 * none): classes are styled by the site's stylesheet, and presentation attributes give a
 * plain rendering if it is missing. There is no width or height: with only a viewBox the
 * chart scales to its container, so it fits a phone.
 */

export interface ChartDatum {
  label: string
  /** null = no figure (drawn as "no data", not as zero) */
  value: number | null
}

export interface ChartOptions {
  /** unique on the page: the title and description ids derive from it */
  id: string
  title: string
  description: string
  data: readonly ChartDatum[]
  /** how values are written beside bars and in the description */
  format?: (v: number) => string
}

const esc = (s: string) => s.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
const defaultFormat = (v: number) => v.toLocaleString('en-GB')
const safeId = (id: string) => id.replace(/[^A-Za-z0-9_-]/g, '-')

/** Shortens a label to fit beside the bars; the full text stays in the table. */
const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s)

function frame(id: string, title: string, description: string, width: number, height: number, body: string): string {
  const i = safeId(id)
  return (
    `<svg class="beacon-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" font-family="arial, sans-serif"` +
    ` role="img" aria-labelledby="${i}-title ${i}-desc" focusable="false">` +
    `<title id="${i}-title">${esc(title)}</title><desc id="${i}-desc">${esc(description)}</desc>${body}</svg>`
  )
}

/**
 * A horizontal bar chart: one bar per datum, labelled on the left, value on the right.
 * Horizontal so long area names stay readable on a phone.
 */
export function barChart(opts: ChartOptions): string {
  const format = opts.format ?? defaultFormat
  const width = 640
  const labelWidth = 200
  const valueWidth = 70
  const rowHeight = 28
  const top = 8
  const plot = width - labelWidth - valueWidth - 10
  const max = Math.max(0, ...opts.data.map(d => d.value ?? 0))
  const height = top * 2 + Math.max(1, opts.data.length) * rowHeight
  const rows = opts.data.map((d, i) => {
    const y = top + i * rowHeight
    const w = d.value && max > 0 ? Math.max(1, Math.round((Math.max(0, d.value) / max) * plot)) : 0
    const valueText = d.value == null ? 'no data' : format(d.value)
    return (
      `<text class="beacon-chart__label" x="${labelWidth - 8}" y="${y + 18}" text-anchor="end" fill="#0b0c0c" font-size="14">${esc(clip(d.label, 28))}</text>` +
      (w ? `<rect class="beacon-chart__bar" x="${labelWidth}" y="${y + 4}" width="${w}" height="${rowHeight - 8}" fill="#1d70b8"></rect>` : '') +
      `<text class="beacon-chart__value" x="${labelWidth + w + 6}" y="${y + 18}" fill="#0b0c0c" font-size="14">${esc(valueText)}</text>`
    )
  })
  const axis = `<line class="beacon-chart__axis" x1="${labelWidth}" y1="${top}" x2="${labelWidth}" y2="${height - top}" stroke="#505a5f"></line>`
  const body = opts.data.length ? rows.join('') + axis : `<text class="beacon-chart__label" x="10" y="26" fill="#0b0c0c" font-size="14">No data for this period</text>`
  return frame(opts.id, opts.title, describe(opts, format), width, height, body)
}

/**
 * A line chart of values in order (e.g. by date), with points marked and the first and last
 * labels on the axis. Gaps (null) break the line.
 */
export function lineChart(opts: ChartOptions): string {
  const format = opts.format ?? defaultFormat
  const width = 640
  const height = 240
  const left = 56
  const right = 16
  const top = 16
  const bottom = 40
  const values = opts.data.map(d => d.value)
  const max = Math.max(0, ...values.map(v => v ?? 0))
  const scaleMax = max > 0 ? max : 1
  const n = opts.data.length
  const x = (i: number) => left + (n <= 1 ? (width - left - right) / 2 : (i / (n - 1)) * (width - left - right))
  const y = (v: number) => top + (1 - Math.max(0, v) / scaleMax) * (height - top - bottom)
  const segments: string[][] = [[]]
  opts.data.forEach((d, i) => {
    if (d.value == null) segments.push([])
    else segments[segments.length - 1]!.push(`${x(i).toFixed(1)},${y(d.value).toFixed(1)}`)
  })
  const lines = segments
    .filter(s => s.length > 1)
    .map(s => `<polyline class="beacon-chart__line" points="${s.join(' ')}" fill="none" stroke="#1d70b8" stroke-width="3"></polyline>`)
    .join('')
  const points = opts.data
    .map((d, i) => (d.value == null ? '' : `<circle class="beacon-chart__point" cx="${x(i).toFixed(1)}" cy="${y(d.value).toFixed(1)}" r="4" fill="#1d70b8"></circle>`))
    .join('')
  const axes =
    `<line class="beacon-chart__axis" x1="${left}" y1="${height - bottom}" x2="${width - right}" y2="${height - bottom}" stroke="#505a5f"></line>` +
    `<line class="beacon-chart__axis" x1="${left}" y1="${top}" x2="${left}" y2="${height - bottom}" stroke="#505a5f"></line>` +
    `<text class="beacon-chart__value" x="${left - 6}" y="${top + 5}" text-anchor="end" fill="#0b0c0c" font-size="14">${esc(format(max))}</text>` +
    `<text class="beacon-chart__value" x="${left - 6}" y="${height - bottom + 5}" text-anchor="end" fill="#0b0c0c" font-size="14">0</text>`
  const first = opts.data[0]
  const last = opts.data[n - 1]
  const xLabels =
    (first ? `<text class="beacon-chart__label" x="${left}" y="${height - 14}" fill="#0b0c0c" font-size="14">${esc(clip(first.label, 30))}</text>` : '') +
    (last && n > 1 ? `<text class="beacon-chart__label" x="${width - right}" y="${height - 14}" text-anchor="end" fill="#0b0c0c" font-size="14">${esc(clip(last.label, 30))}</text>` : '')
  const body = n ? axes + lines + points + xLabels : `<text class="beacon-chart__label" x="10" y="26" fill="#0b0c0c" font-size="14">No data for this period</text>`
  return frame(opts.id, opts.title, describe(opts, format), width, height, body)
}

/**
 * The description read by screen readers: what the chart shows and its extremes, pointing to
 * the table for every figure.
 */
function describe(opts: ChartOptions, format: (v: number) => string): string {
  const known = opts.data.filter((d): d is { label: string; value: number } => d.value != null)
  if (!known.length) return `${opts.description} No figures for this period.`
  const hi = known.reduce((a, b) => (b.value > a.value ? b : a))
  const lo = known.reduce((a, b) => (b.value < a.value ? b : a))
  return `${opts.description} Highest: ${hi.label}, ${format(hi.value)}. Lowest: ${lo.label}, ${format(lo.value)}. Every figure is in the table.`
}
