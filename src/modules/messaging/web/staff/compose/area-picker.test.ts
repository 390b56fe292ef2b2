import { describe, expect, it } from 'vitest'
import { buildPicker, LIST_ALL_LIMIT } from './area-picker.ts'

/** A force of `districts` districts with `per` neighbourhoods each. */
const force = (districts: number, per: number) => ({
  forces: [{ id: 'f', name: 'Big Force' }],
  districts: Array.from({ length: districts }, (_, d) => ({
    id: `d${d}`,
    name: `District ${d}`,
    selectable: true,
    neighbourhoods: Array.from({ length: per }, (_, n) => ({ id: `d${d}n${n}`, name: `Place ${d}-${n}` })),
  })),
})

describe('the compose area picker', () => {
  it('lists every neighbourhood by district for a small force, without the chosen ones', () => {
    const p = buildPicker(force(2, 3), { selected: ['d0n1', 'd1'], query: '', expanded: [] }, null)
    expect(p.listAll).toBe(true)
    expect(p.selected).toEqual([
      { id: 'd0n1', name: 'Place 0-1', kind: 'neighbourhood', context: 'Neighbourhood in District 0' },
      { id: 'd1', name: 'District 1', kind: 'district', context: 'District' },
    ])
    expect(p.districts.map(d => d.id)).toEqual(['d0'])
    expect(p.groups[0]!.neighbourhoods.map(n => n.id)).toEqual(['d0n0', 'd0n2'])
    expect(p.groups.every(g => g.open)).toBe(true)
  })

  it('for thousands of neighbourhoods lists only the districts asked for, closed otherwise', () => {
    const big = force(50, 100)
    expect(50 * 100).toBeGreaterThan(LIST_ALL_LIMIT)
    const p = buildPicker(big, { selected: [], query: '', expanded: ['d7', 'nowhere'] }, null)
    expect(p.listAll).toBe(false)
    expect(p.groups.filter(g => g.listed).map(g => g.id)).toEqual(['d7'])
    expect(p.groups.find(g => g.id === 'd7')).toMatchObject({ open: true, count: 100 })
    expect(p.groups.find(g => g.id === 'd8')).toMatchObject({ open: false, listed: false, neighbourhoods: [] })
    expect(p.expanded).toEqual(['d7'])
    // The page carries 100 checkboxes, not 5,000.
    expect(p.groups.reduce((n, g) => n + g.neighbourhoods.length, 0)).toBe(100)
  })

  it('marks search results already chosen, and keeps an unknown id so saving can refuse it', () => {
    const p = buildPicker(force(1, 2), { selected: ['d0n0', 'elsewhere'], query: 'place', expanded: [] }, {
      total: 2,
      results: [
        { id: 'd0n0', name: 'Place 0-0', kind: 'neighbourhood', district: 'District 0' },
        { id: 'd0n1', name: 'Place 0-1', kind: 'neighbourhood', district: 'District 0' },
      ],
    })
    expect(p.search!.results.map(r => r.chosen)).toEqual([true, false])
    expect(p.selected[1]).toMatchObject({ id: 'elsewhere', context: 'Not one of your areas' })
  })
})
