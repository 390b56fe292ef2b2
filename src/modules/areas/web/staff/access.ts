import type { Role } from '../../../../platform/auth/schema.ts'

/** Who may see and edit areas: each only within the subtrees they were granted. */
export const AREA_ROLES: readonly Role[] = ['administrator', 'engagement_lead', 'neighbourhood_officer']

/** Who may import boundaries and postcodes. */
export const IMPORT_ROLES: readonly Role[] = ['administrator']
