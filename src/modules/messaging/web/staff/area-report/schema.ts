export { readPeriod, periodRadioValues } from '../reports/period.ts'
