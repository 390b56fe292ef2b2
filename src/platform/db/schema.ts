// The one schema index drizzle-kit reads. Each module owns its tables in its own schema.ts.
export * from '../../modules/areas/schema.ts'
export * from '../auth/schema.ts'
export * from '../audit/schema.ts'
export * from '../channels/schema.ts'
export * from '../../modules/messaging/schema.ts'
export * from '../../modules/neighbourhoods/schema.ts'
