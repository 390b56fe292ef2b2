// Live counts on the message compose form: SMS characters and parts as you type, and the
// number of recipients as targets change. The form works without this file: the server
// shows both counts after every save.

// A copy of smsLength from src/modules/messaging/sms-length.ts (compose.test.ts checks they agree).
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'
const GSM_EXTENSION = '^{}\\[~]|€\f'
const basic = new Set(GSM_BASIC)
const extension = new Set(GSM_EXTENSION)

export function smsLength(text, maxParts = 3) {
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

function describe(l) {
  const parts = `${l.parts} text message${l.parts === 1 ? '' : 's'}`
  const special = l.encoding === 'UCS-2' ? ' (special characters: fewer fit in each message)' : ''
  const over = l.tooLong ? ` – too long: at most ${l.maxCharacters} characters` : ''
  return `${l.characters} characters, ${parts}${special}${over}`
}

function smsCounters() {
  for (const field of document.querySelectorAll('textarea[data-sms-counter]')) {
    const output = document.getElementById(field.getAttribute('data-sms-counter'))
    if (!output) continue
    const update = () => {
      output.textContent = describe(smsLength(field.value))
    }
    field.addEventListener('input', update)
    update()
  }
}

function recipientCount() {
  const form = document.querySelector('form[data-count-url]')
  const panel = document.getElementById('recipient-count-live')
  if (!form || !panel) return
  const url = form.getAttribute('data-count-url')
  let timer = null
  let seq = 0
  const refresh = async () => {
    const params = new URLSearchParams()
    for (const name of ['areas', 'interests', 'groups', 'organisation'])
      for (const el of form.querySelectorAll(`[name="${name}"]`))
        if ((el.type !== 'checkbox' && el.type !== 'radio') || el.checked) params.append(name, el.value)
    const mine = ++seq
    try {
      const res = await fetch(`${url}?${params}`, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      if (!res.ok || mine !== seq) return
      const c = await res.json()
      panel.textContent = `${c.estimated ? 'About ' : ''}${c.total.toLocaleString('en-GB')} people: ${c.byChannel.email.toLocaleString('en-GB')} by email, ${c.byChannel.sms.toLocaleString('en-GB')} by text message`
    } catch {
      // Offline or signed out: the count shown after saving still stands.
    }
  }
  form.addEventListener('change', e => {
    if (!['areas', 'interests', 'groups', 'organisation'].includes(e.target.name)) return
    clearTimeout(timer)
    timer = setTimeout(refresh, 250)
  })
}

if (typeof document !== 'undefined') {
  smsCounters()
  recipientCount()
}
