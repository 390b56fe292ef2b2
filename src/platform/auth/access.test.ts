import { describe, expect, it } from 'vitest'
import type { FastifyRequest } from 'fastify'
import { AppError } from '../errors.ts'
import { canAccessArea, grantedPaths, hasRole, isAdministrator, requireAreaAccess, requireStaff, type StaffContext } from './access.ts'

const staff = (grants: StaffContext['grants']): StaffContext => ({ userId: 'u1', email: 'jo@example.org', name: 'Jo', grants })
const NORTH = '/force/north/'
const N01 = '/force/north/n01/'
const N02 = '/force/north/n02/'
const S01 = '/force/south/s01/'

describe('area subtree access', () => {
  it('a district grant covers the district and its neighbourhoods', () => {
    const s = staff([{ role: 'engagement_lead', areaId: 'north', areaPath: NORTH }])
    expect(canAccessArea(s, NORTH)).toBe(true)
    expect(canAccessArea(s, N01)).toBe(true)
    expect(canAccessArea(s, N02)).toBe(true)
  })

  it('a district grant does not cover another district or the force above it', () => {
    const s = staff([{ role: 'engagement_lead', areaId: 'north', areaPath: NORTH }])
    expect(canAccessArea(s, S01)).toBe(false)
    expect(canAccessArea(s, '/force/')).toBe(false)
  })

  it('a neighbourhood grant does not cover a sibling neighbourhood', () => {
    const s = staff([{ role: 'neighbourhood_officer', areaId: 'n01', areaPath: N01 }])
    expect(canAccessArea(s, N01)).toBe(true)
    expect(canAccessArea(s, N02)).toBe(false)
    expect(canAccessArea(s, NORTH)).toBe(false)
  })

  it('does not confuse a neighbourhood whose path starts with the same letters', () => {
    // Paths end in "/", so n01 never matches n010.
    const s = staff([{ role: 'neighbourhood_officer', areaId: 'n01', areaPath: N01 }])
    expect(canAccessArea(s, '/force/north/n010/')).toBe(false)
  })

  it('only counts grants with the roles asked for', () => {
    const s = staff([
      { role: 'partner', areaId: 'north', areaPath: NORTH },
      { role: 'neighbourhood_officer', areaId: 's01', areaPath: S01 },
    ])
    expect(canAccessArea(s, N01, ['neighbourhood_officer'])).toBe(false)
    expect(canAccessArea(s, N01, ['partner'])).toBe(true)
    expect(canAccessArea(s, S01, ['neighbourhood_officer'])).toBe(true)
  })

  it('grantedPaths drops paths already covered by a wider grant', () => {
    const s = staff([
      { role: 'neighbourhood_officer', areaId: 'n01', areaPath: N01 },
      { role: 'engagement_lead', areaId: 'north', areaPath: NORTH },
      { role: 'neighbourhood_officer', areaId: 's01', areaPath: S01 },
    ])
    expect(grantedPaths(s).sort()).toEqual([NORTH, S01].sort())
    expect(grantedPaths(s, ['neighbourhood_officer']).sort()).toEqual([N01, S01].sort())
    expect(grantedPaths(s, ['administrator'])).toEqual([])
  })

  it('requireAreaAccess answers not found outside the grants', () => {
    const s = staff([{ role: 'neighbourhood_officer', areaId: 'n01', areaPath: N01 }])
    expect(() => requireAreaAccess(s, N01)).not.toThrow()
    const err = (() => {
      try {
        requireAreaAccess(s, N02)
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('NOT_FOUND')
    expect(() => requireAreaAccess(s, null)).toThrow(AppError)
  })
})

describe('roles', () => {
  it('hasRole and isAdministrator look at every grant', () => {
    const s = staff([
      { role: 'partner', areaId: 'north', areaPath: NORTH },
      { role: 'administrator', areaId: 'force', areaPath: '/force/' },
    ])
    expect(hasRole(s, ['partner'])).toBe(true)
    expect(hasRole(s, ['board_member'])).toBe(false)
    expect(isAdministrator(s)).toBe(true)
    expect(isAdministrator(staff([{ role: 'partner', areaId: 'north', areaPath: NORTH }]))).toBe(false)
  })

  it('requireStaff refuses the signed-out and the wrong role', () => {
    const req = (s: StaffContext | null) => ({ staff: s }) as FastifyRequest
    expect(() => requireStaff(req(null))).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }))
    const officer = staff([{ role: 'neighbourhood_officer', areaId: 'n01', areaPath: N01 }])
    expect(requireStaff(req(officer))).toBe(officer)
    expect(() => requireStaff(req(officer), ['administrator'])).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }))
  })
})
