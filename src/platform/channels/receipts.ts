import type { Database } from '../db/client.ts'
import type { Channels, DeliveryReceipt, ProviderName, ReceiptListener, ReceiptStatus, Receipts } from './types.ts'

interface ReceiptRow {
  provider: ProviderName
  provider_id: string
  reference: string | null
  channel: 'email' | 'sms' | null
  status: ReceiptStatus
  provider_status: string
  occurred_at: Date | null
}

/**
 * The store of delivery receipts and the listeners interested in them. Listeners run in
 * the order they were added; the first to throw stops the rest and the error goes back to
 * the caller (the webhook), so the provider retries and nothing is silently dropped.
 */
export function createReceipts(db: Database): Receipts {
  const listeners = new Set<ReceiptListener>()
  return {
    async record(receipt) {
      // "do update" rather than "do nothing" so `returning` always gives a row; xmax = 0 only
      // for a freshly inserted one.
      const [row] = await db.query<{ inserted: boolean }>(
        `insert into channel_receipts (provider, provider_id, reference, channel, status, provider_status, occurred_at)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (provider, provider_id, provider_status)
           do update set reference = coalesce(channel_receipts.reference, excluded.reference)
         returning (xmax = 0) as inserted`,
        [
          receipt.provider,
          receipt.providerId,
          receipt.reference,
          receipt.channel,
          receipt.status,
          receipt.providerStatus,
          receipt.occurredAt,
        ],
      )
      for (const listener of listeners) await listener(receipt)
      return { isNew: row?.inserted === true }
    },
    onReceipt(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    async forMessage(provider, providerId) {
      const rows = await db.query<ReceiptRow>(
        `select provider, provider_id, reference, channel, status, provider_status, occurred_at
           from channel_receipts where provider = $1 and provider_id = $2
          order by coalesce(occurred_at, received_at), received_at`,
        [provider, providerId],
      )
      return rows.map(r => ({
        provider: r.provider,
        providerId: r.provider_id,
        reference: r.reference,
        channel: r.channel,
        status: r.status,
        providerStatus: r.provider_status,
        occurredAt: r.occurred_at ? new Date(r.occurred_at) : null,
      }))
    },
  }
}

/**
 * Registers a listener for delivery receipts (the messaging module uses this to move its
 * deliveries to delivered or failed). Returns a function that removes the listener.
 */
export function onDeliveryReceipt(channels: Channels, listener: ReceiptListener): () => void {
  return channels.receipts.onReceipt(listener)
}

/**
 * GOV.UK Notify's statuses in callbacks, mapped to ours. Notify reports "sent" for text
 * messages to international numbers that give no receipt; anything unknown is kept as
 * a temporary failure so it is visible rather than mistaken for success.
 */
export function notifyStatus(status: string): ReceiptStatus {
  switch (status) {
    case 'delivered':
      return 'delivered'
    case 'permanent-failure':
      return 'permanent-failure'
    case 'temporary-failure':
      return 'temporary-failure'
    case 'technical-failure':
      return 'technical-failure'
    case 'sent':
      return 'sent'
    default:
      return 'temporary-failure'
  }
}
