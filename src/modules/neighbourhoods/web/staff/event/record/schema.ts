import { z } from 'zod'
import { EVENT_MESSAGES, LIMITS, type RecordInput, type StaffQuestion } from '../../../../events.service.ts'

/** The record form arrives as named fields; indexed names keep each question's answer beside it. */
export const recordFormSchema = z.record(z.string(), z.union([z.string(), z.array(z.string())]))

export type RecordForm = z.infer<typeof recordFormSchema>

export const RECORD_MESSAGES = {
  noInPerson: 'Enter how many people came in person, or 0',
  noOnline: 'Enter how many people joined online, or 0',
  badNumber: EVENT_MESSAGES.badAttendance,
  bigNumber: EVENT_MESSAGES.bigAttendance,
  raisedNeedsQuestion: EVENT_MESSAGES.raisedNeedsQuestion,
  longQuestion: EVENT_MESSAGES.longQuestion,
  longAnswer: EVENT_MESSAGES.longAnswer,
  longSummary: EVENT_MESSAGES.longSummary,
  tooManyRaised: EVENT_MESSAGES.tooManyRaised,
} as const

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).replace(/\r\n?/g, '\n')
const list = (v: string | string[] | undefined) => (v === undefined ? [] : [v].flat().filter(Boolean))

function count(text: string, missing: string): number | string {
  const t = text.trim().replace(/,/g, '')
  if (!t) return missing
  if (!/^\d+$/.test(t)) return RECORD_MESSAGES.badNumber
  const n = Number(t)
  return n > LIMITS.attendance ? RECORD_MESSAGES.bigNumber : n
}

/**
 * Reads the record form: attendance as whole numbers of 0 or more, an answer (and "hide")
 * for each question sent before (by position, checked against the question ids), the rows
 * of questions raised at the meeting (blank rows ignored), and the priorities ticked.
 * Errors are keyed by the form's field ids.
 */
export function readRecordForm(body: RecordForm, before: StaffQuestion[]): { input: RecordInput | null; errors: Record<string, string> } {
  const errors: Record<string, string> = {}
  const inPerson = count(one(body.attendanceInPerson), RECORD_MESSAGES.noInPerson)
  const online = count(one(body.attendanceOnline), RECORD_MESSAGES.noOnline)
  if (typeof inPerson === 'string') errors.attendanceInPerson = inPerson
  if (typeof online === 'string') errors.attendanceOnline = online
  const summary = one(body.summary).trim()
  if (summary.length > LIMITS.summary) errors.summary = RECORD_MESSAGES.longSummary

  const answers: RecordInput['answers'] = []
  before.forEach((q, i) => {
    // The id beside each answer must be the question at that position: a stale form posted
    // after the list changed is refused rather than answering the wrong question.
    if (one(body[`questionId-${i}`]) !== q.id) return
    const answer = one(body[`answer-${i}`]).trim()
    if (answer.length > LIMITS.answer) errors[`answer-${i}`] = RECORD_MESSAGES.longAnswer
    answers.push({ id: q.id, answer: answer || null, hidden: one(body[`hide-${i}`]) === 'yes' })
  })

  const rows = Object.keys(body)
    .map(k => /^raisedQuestion-(\d{1,3})$/.exec(k)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b)
  const raised: RecordInput['raised'] = []
  for (const i of rows) {
    const question = one(body[`raisedQuestion-${i}`]).trim()
    const answer = one(body[`raisedAnswer-${i}`]).trim()
    if (!question && !answer) continue
    if (!question) errors[`raisedQuestion-${i}`] = RECORD_MESSAGES.raisedNeedsQuestion
    else if (question.length > LIMITS.question) errors[`raisedQuestion-${i}`] = RECORD_MESSAGES.longQuestion
    if (answer.length > LIMITS.answer) errors[`raisedAnswer-${i}`] = RECORD_MESSAGES.longAnswer
    raised.push({ question, answer: answer || null })
  }
  if (raised.length > LIMITS.raised) errors[`raisedQuestion-${rows[0]}`] = RECORD_MESSAGES.tooManyRaised

  if (Object.keys(errors).length) return { input: null, errors }
  return {
    input: {
      attendanceInPerson: inPerson as number,
      attendanceOnline: online as number,
      summary: summary || null,
      answers,
      raised,
      priorityIds: list(body.priorities),
    },
    errors,
  }
}
