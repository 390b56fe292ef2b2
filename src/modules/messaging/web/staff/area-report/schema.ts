export { periodQuerySchema as areaReportQuerySchema, periodItems } from '../reports/schema.ts'
