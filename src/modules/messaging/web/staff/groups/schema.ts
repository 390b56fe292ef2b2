import { z } from 'zod'
import { MAX_GROUP_DESCRIPTION, MAX_GROUP_NAME } from '../../../groups.service.ts'

/** Creating a group: a name, an optional description and the area that owns it. */
export const createGroupSchema = z.object({
  name: z.string({ error: 'Enter a name for the group' }).trim().min(1, 'Enter a name for the group').max(MAX_GROUP_NAME, `Name must be ${MAX_GROUP_NAME} characters or fewer`),
  description: z.string().trim().max(MAX_GROUP_DESCRIPTION, `Description must be ${MAX_GROUP_DESCRIPTION} characters or fewer`).default(''),
  areaId: z.string({ error: 'Choose the area the group belongs to' }).trim().min(1, 'Choose the area the group belongs to'),
})
