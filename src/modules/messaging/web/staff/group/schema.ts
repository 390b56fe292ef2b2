import { z } from 'zod'
import { MAX_GROUP_DESCRIPTION, MAX_GROUP_NAME } from '../../../groups.service.ts'

/** Renaming a group or changing its description. */
export const updateGroupSchema = z.object({
  name: z.string({ error: 'Enter a name for the group' }).trim().min(1, 'Enter a name for the group').max(MAX_GROUP_NAME, `Name must be ${MAX_GROUP_NAME} characters or fewer`),
  description: z.string().trim().max(MAX_GROUP_DESCRIPTION, `Description must be ${MAX_GROUP_DESCRIPTION} characters or fewer`).default(''),
})

/** Adding a member by the email address or mobile number they confirmed. */
export const addMemberSchema = z.object({
  contact: z
    .string({ error: 'Enter an email address or mobile number' })
    .trim()
    .min(1, 'Enter an email address or mobile number')
    .max(320, 'Enter an email address or mobile number'),
})

/** Removing a member: the form carries their subscriber id. */
export const removeMemberSchema = z.object({ subscriberId: z.string().trim().max(100) })
