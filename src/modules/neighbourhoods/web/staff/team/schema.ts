import { z } from 'zod'
import { isEmail, isPhone } from '../profile/schema.ts'

const optional = (max: number, message: string) =>
  z
    .string()
    .trim()
    .max(max, message)
    .transform(v => v || null)
    .default(null)

const checked = (check: (v: string) => boolean, message: string, max: number) =>
  z
    .string()
    .trim()
    .max(max, message)
    .refine(v => v === '' || check(v), message)
    .transform(v => v || null)
    .default(null)

/** A team member's details; the photo travels beside them in the same multipart form. */
export const memberSchema = z.object({
  name: z.string({ error: 'Enter the team member’s name' }).trim().min(1, 'Enter the team member’s name').max(100, 'The name must be 100 characters or fewer'),
  rank: z
    .string({ error: 'Enter their rank or job title, like Police Constable' })
    .trim()
    .min(1, 'Enter their rank or job title, like Police Constable')
    .max(100, 'The rank must be 100 characters or fewer'),
  role: optional(200, 'The role must be 200 characters or fewer'),
  bio: optional(2000, 'The short biography must be 2,000 characters or fewer'),
  email: checked(isEmail, 'Enter an email address in the correct format, like name@police.example', 254),
  telephone: checked(isPhone, 'Enter a telephone number, like 01632 960 001', 30),
  isNamedContact: z
    .string()
    .optional()
    .transform(v => v === 'yes'),
  sortOrder: z
    .string()
    .trim()
    .regex(/^\d{0,3}$/, 'Enter the position as a whole number from 0 to 999')
    .transform(v => (v === '' ? 0 : Number(v)))
    .default(0),
  photoAlt: optional(250, 'The description of the photo must be 250 characters or fewer'),
  removePhoto: z
    .string()
    .optional()
    .transform(v => v === 'yes'),
})

export type MemberForm = z.infer<typeof memberSchema>
