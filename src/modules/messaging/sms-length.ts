/**
 * How long an SMS is, as the networks count it. A text that fits the GSM 03.38 alphabet is
 * sent as GSM-7: 160 characters in one message, 153 a part when split (the rest of each part
 * holds the joining header). The extension characters ^ { } \ [ ~ ] | € (and form feed) take
 * two places, an escape and the character. Anything else (an emoji, curly quotes, Welsh ŵ/ŷ)
 * makes the whole text UCS-2: 70 units in one message, 67 a part; characters outside the
 * Basic Multilingual Plane (most emoji) take two units.
 *
 * src/web/assets/compose.js carries a copy of `smsLength` for the live count in the browser;
 * compose.test.ts checks the two agree.
 */

/** The most parts a message may be split into: 3 parts = 459 GSM-7 characters or 201 UCS-2. */
export const MAX_SMS_PARTS = 3

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'
const GSM_EXTENSION = '^{}\\[~]|€\f'

const basic = new Set(GSM_BASIC)
const extension = new Set(GSM_EXTENSION)

export interface SmsLength {
  encoding: 'GSM-7' | 'UCS-2'
  /** places used: GSM-7 septets (extension characters count two) or UCS-2 code units */
  characters: number
  /** messages the text is sent as (0 for an empty text) */
  parts: number
  /** the most places one part holds at this length (160/153 or 70/67) */
  perPart: number
  /** the longest text allowed in this encoding (MAX_SMS_PARTS parts) */
  maxCharacters: number
  /** places left before another part is needed */
  remainingInPart: number
  tooLong: boolean
}

/** Counts characters and parts of an SMS text. */
export function smsLength(text: string, maxParts: number = MAX_SMS_PARTS): SmsLength {
  let septets = 0
  let gsm = true
  for (const ch of text) {
    if (basic.has(ch)) septets += 1
    else if (extension.has(ch)) septets += 2
    else {
      gsm = false
      break
    }
  }
  const encoding = gsm ? 'GSM-7' : 'UCS-2'
  const characters = gsm ? septets : text.length
  const single = gsm ? 160 : 70
  const multi = gsm ? 153 : 67
  const parts = characters === 0 ? 0 : characters <= single ? 1 : Math.ceil(characters / multi)
  const perPart = parts <= 1 ? single : multi
  const maxCharacters = maxParts <= 1 ? single : multi * maxParts
  const remainingInPart = parts === 0 ? single : parts === 1 ? single - characters : parts * multi - characters
  return { encoding, characters, parts, perPart, maxCharacters, remainingInPart, tooLong: characters > maxCharacters }
}

/** A sentence for the compose form: "84 of 160 characters, 1 text message (GSM-7)". */
export function describeSmsLength(l: SmsLength): string {
  const parts = `${l.parts} text message${l.parts === 1 ? '' : 's'}`
  const special = l.encoding === 'UCS-2' ? ' (special characters: fewer fit in each message)' : ''
  return `${l.characters} characters, ${parts}${special}`
}
