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
    const areas = new Set()
    // The chosen list's hidden fields and any area ticked to add: both are sent when saving.
    for (const el of form.querySelectorAll('[name="areas"], [name="addAreas"]'))
      if (el.type !== 'checkbox' || el.checked) areas.add(el.value)
    for (const id of areas) params.append('areas', id)
    for (const name of ['interests', 'groups', 'organisation'])
      for (const el of form.querySelectorAll(`[name="${name}"]`))
        if ((el.type !== 'checkbox' && el.type !== 'radio') || el.checked) params.append(name, el.value)
    const mine = ++seq
    try {
      const res = await fetch(`${url}?${params}`, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      if (!res.ok || mine !== seq) return
      const c = await res.json()
      panel.textContent = `${c.estimated ? 'About ' : ''}${c.total.toLocaleString('en-GB')} ${c.total === 1 ? 'person' : 'people'}: ${c.byChannel.email.toLocaleString('en-GB')} by email, ${c.byChannel.sms.toLocaleString('en-GB')} by text message`
    } catch {
      // Offline or signed out: the count shown after saving still stands.
    }
  }
  const later = () => {
    clearTimeout(timer)
    timer = setTimeout(refresh, 250)
  }
  form.addEventListener('change', e => {
    if (['areas', 'addAreas', 'interests', 'groups', 'organisation'].includes(e.target.name)) later()
  })
  form.addEventListener('beacon:areas-changed', later)
}

// The area picker: ticking an area adds it to "Areas chosen" at once, Remove takes it off
// without sending the form, and "Find a neighbourhood" searches as you type. Without this,
// the same buttons send the form and the server draws the page again.
function areaPicker() {
  const picker = document.querySelector('[data-area-picker]')
  if (!picker) return
  const form = picker.closest('form')
  const list = picker.querySelector('#chosen-areas')
  const none = picker.querySelector('#chosen-none')
  const status = picker.querySelector('#chosen-status')
  const input = picker.querySelector('#areaQuery')
  const results = picker.querySelector('[data-search-results]')
  const url = picker.getAttribute('data-search-url')
  if (!form || !list || !none || !status || !input || !results || !url) return

  const chosenIds = () => new Set([...list.querySelectorAll('input[name="areas"]')].map(el => el.value))
  const changed = text => {
    const n = list.querySelectorAll('[data-chosen]').length
    list.hidden = n === 0
    none.hidden = n !== 0
    status.textContent = `${text} ${n} ${n === 1 ? 'area' : 'areas'} chosen.`
    form.dispatchEvent(new CustomEvent('beacon:areas-changed'))
  }
  // The area's name from its label; what it is from its list (data-context) or, for a search result, its hint.
  const labelOf = box => {
    const label = form.querySelector(`label[for="${box.id}"]`)
    const list = box.closest('[data-context]')
    const hintId = (box.getAttribute('aria-describedby') || '').split(' ')[0]
    const hint = hintId && document.getElementById(hintId)
    const context = list ? list.getAttribute('data-context') : hint ? hint.textContent.trim() : ''
    return { name: label ? label.textContent.trim() : box.value, context }
  }
  const boxesFor = id => [...form.querySelectorAll('input[name="addAreas"]')].filter(b => b.value === id)

  function add(id, name, context) {
    if (chosenIds().has(id)) return
    const row = document.createElement('div')
    row.className = 'govuk-summary-list__row'
    row.setAttribute('data-chosen', id)
    const dt = document.createElement('dt')
    dt.className = 'govuk-summary-list__key'
    const hidden = document.createElement('input')
    hidden.type = 'hidden'
    hidden.name = 'areas'
    hidden.value = id
    dt.append(hidden, name)
    const dd = document.createElement('dd')
    dd.className = 'govuk-summary-list__value'
    dd.textContent = context
    const actions = document.createElement('dd')
    actions.className = 'govuk-summary-list__actions'
    const button = document.createElement('button')
    button.type = 'submit'
    button.className = 'govuk-link beacon-link-button'
    button.name = 'intent'
    button.value = `remove:${id}`
    const hiddenName = document.createElement('span')
    hiddenName.className = 'govuk-visually-hidden'
    hiddenName.textContent = ` ${name}`
    button.append('Remove', hiddenName)
    actions.append(button)
    row.append(dt, dd, actions)
    list.append(row)
    changed(`${name} added.`)
  }

  function remove(id) {
    const row = list.querySelector(`[data-chosen="${CSS.escape(id)}"]`)
    if (!row) return
    const name = row.querySelector('dt').textContent.trim()
    const next = row.nextElementSibling || row.previousElementSibling
    row.remove()
    for (const box of boxesFor(id)) box.checked = false
    changed(`${name} removed.`)
    // Keep the keyboard where it was: the next Remove button, or the list's heading.
    const target = next ? next.querySelector('button') : picker.querySelector('#areas')
    if (target) target.focus()
  }

  form.addEventListener('change', e => {
    const box = e.target
    if (box.name !== 'addAreas') return
    if (box.checked) {
      const { name, context } = labelOf(box)
      add(box.value, name, context)
    } else remove(box.value)
  })

  list.addEventListener('click', e => {
    const button = e.target.closest('button[name="intent"]')
    if (!button || !button.value.startsWith('remove:')) return
    e.preventDefault()
    remove(button.value.slice('remove:'.length))
  })

  // Search as you type; Enter or Find searches at once instead of sending the form.
  let timer = null
  let seq = 0
  async function search() {
    const q = input.value.trim()
    const mine = ++seq
    if (!q) {
      results.replaceChildren()
      return
    }
    try {
      const res = await fetch(`${url}?q=${encodeURIComponent(q)}`, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      if (!res.ok || mine !== seq) return
      render(await res.json())
    } catch {
      // Offline or signed out: the Find button still works by sending the form.
    }
  }
  function render(data) {
    const chosen = chosenIds()
    const summary = document.createElement('p')
    summary.className = 'govuk-body'
    summary.setAttribute('aria-live', 'polite')
    summary.textContent =
      data.total === 0
        ? `No areas match “${data.query}”. Check the spelling, or try fewer letters.`
        : data.total > data.results.length
          ? `Showing the first ${data.results.length} of ${data.total.toLocaleString('en-GB')} areas matching “${data.query}”. Type more of the name to narrow them down.`
          : `${data.total} ${data.total === 1 ? 'area matches' : 'areas match'} “${data.query}”.`
    const boxes = document.createElement('div')
    boxes.className = 'govuk-checkboxes govuk-checkboxes--small'
    data.results.forEach((r, i) => {
      const item = document.createElement('div')
      item.className = 'govuk-checkboxes__item'
      const box = document.createElement('input')
      box.className = 'govuk-checkboxes__input'
      box.type = 'checkbox'
      box.name = 'addAreas'
      box.value = r.id
      box.id = `found-live-${i}`
      box.checked = chosen.has(r.id)
      box.setAttribute('aria-describedby', `found-live-${i}-hint`)
      const label = document.createElement('label')
      label.className = 'govuk-label govuk-checkboxes__label'
      label.htmlFor = box.id
      label.textContent = r.kind === 'district' ? `All of ${r.name}` : r.name
      const hint = document.createElement('div')
      hint.className = 'govuk-hint govuk-checkboxes__hint'
      hint.id = `found-live-${i}-hint`
      hint.textContent = r.kind === 'district' ? 'District' : `Neighbourhood in ${r.district}`
      item.append(box, label, hint)
      boxes.append(item)
    })
    const fieldset = document.createElement('fieldset')
    fieldset.className = 'govuk-fieldset'
    const legend = document.createElement('legend')
    legend.className = 'govuk-fieldset__legend govuk-visually-hidden'
    legend.textContent = 'Matching areas'
    fieldset.append(legend, boxes)
    results.replaceChildren(summary, ...(data.results.length ? [fieldset] : []))
  }
  input.addEventListener('input', () => {
    clearTimeout(timer)
    timer = setTimeout(search, 200)
  })
  input.addEventListener('keydown', e => {
    if (e.key !== 'Enter') return
    e.preventDefault()
    clearTimeout(timer)
    search()
  })
  const find = picker.querySelector('button[value="find"]')
  if (find)
    find.addEventListener('click', e => {
      e.preventDefault()
      clearTimeout(timer)
      search()
    })
}

if (typeof document !== 'undefined') {
  smsCounters()
  recipientCount()
  areaPicker()
}
