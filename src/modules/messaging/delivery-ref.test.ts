import { describe, expect, it } from 'vitest'
import { deliveryRefWhere, findDeliveryRefs, formatDeliveryRef, parseDeliveryRef, type DeliveryRef } from './delivery-ref.ts'

const ann: DeliveryRef = { messageRef: '42', subscriberId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', channel: 'email' }

describe('delivery references', () => {
  it('spell message number, resident and channel in lower-case hex and digits, and read back', () => {
    expect(formatDeliveryRef(ann)).toBe('42-0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d-e')
    expect(formatDeliveryRef({ ...ann, channel: 'sms' })).toBe('42-0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d-s')
    expect(parseDeliveryRef(formatDeliveryRef(ann))).toEqual(ann)
    expect(parseDeliveryRef(formatDeliveryRef({ ...ann, channel: 'sms' }))).toEqual({ ...ann, channel: 'sms' })
  })

  it('survive a mail system that upper-cases them', () => {
    expect(parseDeliveryRef(formatDeliveryRef(ann).toUpperCase())).toEqual(ann)
  })

  it('refuse anything else, including the numeric ids used before migration 0010', () => {
    for (const bad of ['123', '', '42-0a1b-e', '42-0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d-x', 'x42-0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d-e', null, 42, undefined])
      expect(parseDeliveryRef(bad)).toBeNull()
  })

  it('are found in a References header, in the order written', () => {
    const bob = { ...ann, messageRef: '7', subscriberId: 'ffffffff-ffff-4fff-bfff-ffffffffffff' }
    const header = `<other@x> <delivery-${formatDeliveryRef(ann)}@beacon.example> <delivery-123@old.example> <delivery-${formatDeliveryRef(bob)}@beacon.example>`
    expect(findDeliveryRefs(header, 'delivery-')).toEqual([ann, bob])
  })

  it('name a row through the unique key, with numbered parameters', () => {
    expect(deliveryRefWhere(3, 'd')).toBe(
      'd.message_id = (select m.id from msg_messages m where m.ref = $3::bigint) and d.subscriber_id = $4::uuid and d.channel = $5::text',
    )
  })
})
