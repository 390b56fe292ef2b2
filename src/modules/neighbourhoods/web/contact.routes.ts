import type { FastifyInstance } from 'fastify'
import type { RouteOptions } from '../../../app.ts'
import { limited } from '../../../platform/auth/web/shared.ts'
import { contactController } from './public/contact/controller.ts'
import { haveYourSayController } from './public/have-your-say/controller.ts'
import { staffContactController } from './staff/contact/controller.ts'
import { staffProposalsController } from './staff/proposals/controller.ts'
import { stalenessController } from './staff/staleness/controller.ts'

/**
 * Per-address limits on residents' forms: generous for a household or a library behind one
 * address, tight for a script.
 */
export const CONTACT_LIMITS = {
  contact: { max: 20, timeWindow: '10 minutes' },
  propose: { max: 20, timeWindow: '10 minutes' },
  support: { max: 60, timeWindow: '10 minutes' },
}

/**
 * "Contact your team" and "Have your say on priorities" (public), the contact inbox, residents'
 * proposals and the staleness view (staff).
 */
export async function contactRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const contact = contactController(opts)
  const haveYourSay = haveYourSayController(opts)
  const inbox = staffContactController(opts)
  const proposals = staffProposalsController(opts)
  const staleness = stalenessController(opts)

  app.get('/neighbourhoods/:id/contact', contact.show)
  app.post('/neighbourhoods/:id/contact', { config: limited(CONTACT_LIMITS.contact) }, contact.send)
  app.get('/neighbourhoods/:id/contact/sent/:token', contact.sent)

  app.get('/neighbourhoods/:id/have-your-say', haveYourSay.show)
  app.post('/neighbourhoods/:id/have-your-say', { config: limited(CONTACT_LIMITS.propose) }, haveYourSay.propose)
  app.post('/neighbourhoods/:id/have-your-say/:proposalId/support', { config: limited(CONTACT_LIMITS.support) }, haveYourSay.support)

  app.get('/staff/contact', inbox.list)
  app.get('/staff/contact/:queryId', inbox.show)
  app.post('/staff/contact/:queryId/assign', inbox.assign)
  app.post('/staff/contact/:queryId/reply', inbox.reply)
  app.post('/staff/contact/:queryId/note', inbox.note)
  app.post('/staff/contact/:queryId/phoned', inbox.phoned)
  app.post('/staff/contact/:queryId/close', inbox.close)
  app.post('/staff/contact/:queryId/reopen', inbox.reopen)

  app.get('/staff/neighbourhoods/:id/proposals', proposals.list)
  app.get('/staff/neighbourhoods/:id/proposals/:proposalId', proposals.show)
  app.post('/staff/neighbourhoods/:id/proposals/:proposalId/decline', proposals.decline)
  app.post('/staff/neighbourhoods/:id/proposals/:proposalId/remove', proposals.remove)

  app.get('/staff/staleness', staleness.show)
  app.get('/staff/staleness.csv', staleness.csv)
}
