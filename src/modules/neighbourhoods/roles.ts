import type { Role } from '../../platform/auth/schema.ts'

/** Who keeps a neighbourhood's page, team, priorities, events and contact inbox (within their grants). */
export const NEIGHBOURHOOD_ROLES = ['administrator', 'engagement_lead', 'neighbourhood_officer'] as const satisfies readonly Role[]

/** Who sees the force-wide staleness view. */
export const STALENESS_ROLES = ['administrator', 'engagement_lead'] as const satisfies readonly Role[]
