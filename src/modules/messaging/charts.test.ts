import { describe, expect, it } from 'vitest'
import { barChart, lineChart } from './charts.ts'

describe('charts', () => {
  it('draws an accessible bar chart with escaped labels, bars in proportion and no style attributes', () => {
    const svg = barChart({
      id: 'members',
      title: 'Members per 1,000 <people>',
      description: 'By neighbourhood.',
      data: [
        { label: 'Ashby & North', value: 10 },
        { label: 'South', value: 5 },
        { label: 'Unknown', value: null },
      ],
    })
    expect(svg).toMatch(/^<svg class="beacon-chart"[^>]* role="img" aria-labelledby="members-title members-desc"/)
    expect(svg).toContain('<title id="members-title">Members per 1,000 &lt;people&gt;</title>')
    expect(svg).toContain('<desc id="members-desc">By neighbourhood. Highest: Ashby &amp; North, 10. Lowest: South, 5. Every figure is in the table.</desc>')
    const widths = [...svg.matchAll(/<rect[^>]* width="(\d+)"/g)].map(m => Number(m[1]))
    expect(widths).toEqual([360, 180])
    expect(svg).toContain('>no data</text>')
    expect(svg).not.toMatch(/style=/)
  })

  it('draws a line chart with gaps, and says when there is nothing to draw', () => {
    const svg = lineChart({ id: 'reach', title: 'Reach', description: 'Per message.', data: [{ label: '1 Mar', value: 4 }, { label: '2 Mar', value: 2 }, { label: '3 Mar', value: null }, { label: '4 Mar', value: 1 }] })
    expect(svg.match(/<polyline/g)).toHaveLength(1)
    expect(svg.match(/<circle/g)).toHaveLength(3)
    expect(svg).toContain('>1 Mar</text>')
    expect(svg).toContain('>4 Mar</text>')
    expect(lineChart({ id: 'x', title: 'T', description: 'D.', data: [] })).toContain('No data for this period')
    expect(barChart({ id: 'y', title: 'T', description: 'D.', data: [] })).toContain('<desc id="y-desc">D. No figures for this period.</desc>')
  })
})
