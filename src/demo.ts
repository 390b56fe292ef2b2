import { randomBytes } from 'node:crypto'
import type { Services } from './services.ts'
import type { Role } from './platform/auth/schema.ts'
import { loadDemoArea } from './modules/areas/demo.ts'
import { loadDemoNeighbourhoods } from './modules/neighbourhoods/demo.ts'

export const DEMO_EMAIL_DOMAIN = 'demo.beacon.example'

/** The demo staff accounts the README names: one per role, officers on two neighbourhoods. */
export function demoAccounts(neighbourhoodIds: string[], districtId: string, forceId: string) {
  const [first, second] = neighbourhoodIds
  const accounts: { email: string; name: string; role: Role; areaId: string }[] = [
    { email: `admin@${DEMO_EMAIL_DOMAIN}`, name: 'Alex Admin', role: 'administrator', areaId: forceId },
    { email: `lead@${DEMO_EMAIL_DOMAIN}`, name: 'Lee Engagement', role: 'engagement_lead', areaId: forceId },
    { email: `officer@${DEMO_EMAIL_DOMAIN}`, name: 'PC Olu Officer', role: 'neighbourhood_officer', areaId: first! },
    { email: `officer2@${DEMO_EMAIL_DOMAIN}`, name: 'PCSO Sam Second', role: 'neighbourhood_officer', areaId: second! },
    { email: `district@${DEMO_EMAIL_DOMAIN}`, name: 'Insp Dee District', role: 'neighbourhood_officer', areaId: districtId },
    { email: `opcc@${DEMO_EMAIL_DOMAIN}`, name: 'Pat OPCC', role: 'opcc_officer', areaId: forceId },
    { email: `board@${DEMO_EMAIL_DOMAIN}`, name: 'Bo Board', role: 'board_member', areaId: forceId },
    { email: `partner@${DEMO_EMAIL_DOMAIN}`, name: 'Kim Partner', role: 'partner', areaId: districtId },
  ]
  return accounts
}

export interface SeedResult {
  seeded: boolean
  /** set only when the password was generated here (not from DEMO_PASSWORD) */
  generatedPassword?: string
  accounts: { email: string; role: Role; areaId: string }[]
}

/**
 * Loads the demo force area and the demo staff accounts into an empty database.
 * The password is DEMO_PASSWORD or generated; a generated one is returned so the
 * caller can print it once (it is never logged).
 */
export async function seedDemo(services: Services, opts: { seed: number; password?: string | undefined }): Promise<SeedResult> {
  if (!(await services.areas.isEmpty())) return { seeded: false, accounts: [] }
  await loadDemoArea(services.db, opts.seed)
  await services.areas.rebuildIndex()
  const neighbourhoods = await services.areas.listNeighbourhoods()
  const force = (await services.areas.listAreas()).find(a => a.kind === 'force')!
  const firstDistrict = neighbourhoods[0]!.parentId!
  const password = opts.password ?? randomBytes(12).toString('base64url')
  const accounts = demoAccounts(
    neighbourhoods.filter(n => n.parentId === firstDistrict).map(n => n.id),
    firstDistrict,
    force.id,
  )
  for (const a of accounts) {
    await services.auth.createStaffUser({ email: a.email, name: a.name, password, grants: [{ role: a.role, areaId: a.areaId }] })
  }
  await loadDemoNeighbourhoods(services, { seed: opts.seed, now: new Date() })
  return {
    seeded: true,
    ...(opts.password ? {} : { generatedPassword: password }),
    accounts: accounts.map(({ email, role, areaId }) => ({ email, role, areaId })),
  }
}
