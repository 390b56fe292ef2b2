import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../errors.ts'

const wantsJson = (req: FastifyRequest) =>
  req.url.startsWith('/api/') || (req.headers.accept ?? '').includes('application/json') && !(req.headers.accept ?? '').includes('text/html')

/** Friendly words for the errors people can meet, by status. */
const publicMessages: Record<number, { title: string; body: string }> = {
  400: { title: 'There is a problem with what was sent', body: 'Go back, check what you entered and try again.' },
  401: { title: 'You need to sign in', body: 'Sign in to continue. Staff can sign in at /staff/sign-in.' },
  403: { title: 'You cannot do that', body: 'You do not have access to this page or action.' },
  404: { title: 'Page not found', body: 'If you typed the web address, check it is correct. If you pasted the web address, check you copied the entire address.' },
  413: { title: 'The file or form is too large', body: 'Go back and send a smaller file.' },
  429: { title: 'Too many attempts', body: 'Wait a few minutes and try again.' },
  500: { title: 'Sorry, there is a problem with the service', body: 'Try again later. What you entered has not been lost if you go back.' },
  503: { title: 'Sorry, the service is unavailable', body: 'Try again later.' },
}

function classify(err: FastifyError | AppError): { status: number; message?: string } {
  if (err instanceof AppError) return { status: err.status, message: err.message }
  const code = (err as FastifyError).code
  if (code === 'FST_CSRF_INVALID_TOKEN' || code === 'FST_CSRF_MISSING_SECRET')
    return { status: 403, message: 'This form had expired or was sent from somewhere else. Go back, refresh the page and try again.' }
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || code === 'FST_REQ_FILE_TOO_LARGE' || code === 'FST_PARTS_LIMIT' || code === 'FST_FILES_LIMIT')
    return { status: 413 }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH')
    return { status: 400 }
  const status = (err as FastifyError).statusCode
  if (status === 429) return { status: 429, message: err.message }
  if ((err as FastifyError).validation) return { status: 400, message: 'The request was not in the expected form.' }
  if (status && status >= 400 && status < 500) return { status }
  return { status: 500 }
}

/**
 * One place maps every error to a GOV.UK error page (or JSON for the API). Nobody sees a
 * stack trace: 5xx messages are never shown, and the error is logged with the request id.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(async (err: FastifyError, req, reply) => {
    const { status, message } = classify(err)
    if (status >= 500) req.log.error({ err }, 'request failed')
    else req.log.info({ status, code: err.code }, err.message)
    return sendError(req, reply, status, status >= 500 ? undefined : message)
  })
  app.setNotFoundHandler(async (req, reply) => sendError(req, reply, 404))
}

export function sendError(req: FastifyRequest, reply: FastifyReply, status: number, message?: string): FastifyReply {
  const words = publicMessages[status] ?? publicMessages[status >= 500 ? 500 : 400]!
  reply.code(status)
  if (status === 429 && !reply.hasHeader('retry-after')) reply.header('retry-after', '60')
  if (wantsJson(req)) return reply.send({ status, error: message ?? words.title })
  try {
    return reply.page('web/pages/error/view.njk', { title: words.title, heading: words.title, body: message ?? words.body, status }, status)
  } catch (renderErr) {
    // The error page itself failed (e.g. before the view engine was ready): plain text, still no stack.
    req.log.error({ err: renderErr }, 'error page failed to render')
    return reply.type('text/plain; charset=utf-8').send(`${words.title}\n\n${message ?? words.body}`)
  }
}
