export { readPeriod, periodRadioValues, MAX_CUSTOM_DAYS, type PeriodChoice } from './period.ts'
