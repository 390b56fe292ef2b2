import { z } from 'zod'
import { listField, splitPostcodes } from '../shared.ts'

export const preferencesSchema = z.object({
  email: z.string().trim().max(254, 'Email address must be 254 characters or fewer').default(''),
  phone: z.string().trim().max(30, 'Enter a UK mobile number, like 07700 900982 or +44 7700 900982').default(''),
  homePostcode: z.string().trim().max(20, 'Enter a full UK postcode, like DS1 1AA').default(''),
  otherPostcodes: z.string().max(200, 'Enter up to 5 other postcodes').default('').transform(splitPostcodes),
  areas: listField,
  interests: listField,
  emailFrequency: z.string().default('immediate'),
  smsFrequency: z.string().default('immediate'),
  language: z.string().default('en'),
})

export const consentSchema = z.object({
  organisation: z.enum(['force', 'opcc'], { error: 'Choose an organisation' }),
  given: z.enum(['yes', 'no'], { error: 'Choose whether you agree' }),
})

export const channelSchema = z.object({ channel: z.enum(['email', 'sms'], { error: 'Choose email or text message' }) })
