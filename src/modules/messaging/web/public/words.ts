import type { FastifyRequest } from 'fastify'
import type { FieldErrors } from '../../../../platform/views/nunjucks.ts'
import type { Lang } from '../../subscribers-texts.ts'

/**
 * The residents' alert pages in English and Welsh. Every page a resident reaches from a
 * message or a confirmation (confirm, manage, unsubscribe, reply, feedback, link problems)
 * opens in the language they chose; the start, sign-up and check pages take `?lang=cy`
 * (and a language link on every page switches). Forms keep the language through their
 * action's `?lang=`.
 *
 * The Welsh was written for Beacon and must be checked by a first-language Welsh speaker
 * before a force goes live: docs/messaging-residents.md has every string side by side.
 * Names (areas, organisations' own names, interests' Welsh names) come from the data.
 */

export type { Lang }

const en = {
  layout: {
    errorPrefix: 'Error',
    errorTitle: 'There is a problem',
    skip: 'Skip to main content',
    languageNav: 'Language',
    success: 'Success',
    important: 'Important',
    menu: 'Menu',
    nav: { find: 'Find your neighbourhood', all: 'All neighbourhoods', alerts: 'Community alerts' },
    footer: {
      support: 'Support links',
      accessibility: 'Accessibility statement',
      privacy: 'Privacy notice',
      staff: 'Staff sign in',
      runBy: (force: string) => `Run by ${force} with Beacon, open-source software.`,
    },
    /** after a link to a page that exists in English only */
    englishOnly: '',
  },
  common: { back: 'Back', warning: 'Warning', error: 'Error', yes: 'Yes', no: 'No', send: 'Send' },
  start: {
    title: 'Community alerts',
    heading: (force: string) => `Get community alerts from ${force}`,
    lead: 'Hear about appeals, crime, scams and events where you live, work or care about, by email or text message.',
    youChoose: 'You choose:',
    choices: [
      'the places: your home postcode, other postcodes, neighbourhoods, districts or the whole force area',
      'what you are interested in',
      'whether you get each message at once or in a daily or weekly summary',
      'English or Welsh',
    ],
    noPassword:
      'You do not need a password. Every message has a link to change your choices, reply, or stop at any time. You can download everything we hold about you or delete your account.',
    warning: 'Alerts are not for reporting crime. In an emergency call 999. For non-emergencies call 101.',
    button: 'Start now',
    privacy: 'How we use your information',
  },
  signUp: {
    title: 'Sign up for community alerts',
    contactLegend: 'How should we contact you?',
    contactIntro: 'Give an email address, a UK mobile number, or both. We will send a link or a code to check it is yours.',
    email: 'Email address',
    phone: 'UK mobile number',
    phoneHint: 'For example, 07700 900982',
    consentLegend: 'Who may send you alerts?',
    consentHint: 'Each organisation needs your agreement. Agreeing to one does not cover the other. You can change this at any time.',
    consentEnglishOnly: '',
    button: 'Sign up',
  },
  organisations: {
    opcc: 'The Office of the Police and Crime Commissioner',
    opccShort: 'the Police and Crime Commissioner’s office',
  },
  prefs: {
    placesLegend: 'Where do you want alerts about?',
    homePostcode: 'Your home postcode',
    homeHint: 'We use it to find your neighbourhood. Leave it blank if you do not live in the area and choose places below.',
    otherPostcodes: 'Other postcodes (optional)',
    otherHint: 'For example where you work or where a relative lives. One postcode per line, up to 5.',
    chooseNeighbourhoods: 'Choose neighbourhoods from the list',
    wholeDistricts: 'Whole districts (optional)',
    wholeForce: 'The whole force area (optional)',
    wholeForceHint: 'Only choose this if you want alerts about everywhere: it means more messages.',
    forceItem: (force: string) => `The whole ${force} area`,
    interestsLegend: 'What are you interested in?',
    interestsHint: 'Select all that apply.',
    frequencyLegend: 'How often do you want messages?',
    emergencyInset: 'Emergency messages, such as a missing child or a serious risk to safety, always arrive at once, whatever you choose here.',
    byEmail: 'By email',
    bySms: 'By text message',
    frequencies: { immediate: 'As soon as they are sent', daily: 'A daily summary', weekly: 'A weekly summary' },
    languageLegend: 'Which language do you want messages in?',
    languageHint:
      'Alerts come in Welsh when a Welsh version is written, and in English otherwise. Our own messages (codes, links, summaries) are always in the language you choose.',
  },
  check: {
    title: 'Confirm your contact details',
    checkEmail: 'Check your email',
    emailSent: 'We have sent an email with a link to confirm your address. Open the link within 24 hours.',
    spam: 'If the email does not arrive within a few minutes, check your spam or junk folder.',
    resendEmail: 'Send the email again',
    enterCode: 'Enter the code we texted you',
    codeLabel: '6-digit code',
    codeHint: 'The code expires after 15 minutes.',
    confirmMobile: 'Confirm my mobile number',
    newCode: 'Send a new code',
    alreadySummary: 'If you already get alerts',
    alreadyText:
      'We do not sign up the same email address or mobile number twice. If yours already gets alerts, we have sent it a link to manage them instead of a confirmation.',
    noSignUpTitle: 'No sign-up to confirm',
    noSignUpBody: 'We could not find a sign-up waiting to be confirmed on this device. It may have been more than a day, or your browser may not keep cookies.',
    signUpAgain: 'Sign up again',
    sentEmailAgain: 'We have sent the email again',
    sentNewCode: 'We have sent a new code',
  },
  confirmed: {
    emailTitle: 'Email address confirmed',
    smsTitle: 'Mobile number confirmed',
    panel: (channel: string) => `You will now get community alerts ${channel === 'email' ? 'by email' : 'by text message'}`,
    welcomeSent: 'We have sent you a welcome message with a link to manage your alerts. Keep it: it works without a password.',
    manageNow: 'Manage your alerts now',
    findTeam: 'Find your neighbourhood team',
  },
  confirm: {
    title: 'Confirm your email address',
    intro: (force: string, masked: string) => `Confirm that you want community alerts from ${force} at ${masked}.`,
    button: 'Confirm my email address',
    notYou: 'If you did not sign up, close this page: nothing will be sent to you.',
  },
  manage: {
    title: 'Manage your alerts',
    keepPrivate: 'Anyone with the link to this page can change your alerts, so do not share it.',
    howContact: 'How we contact you',
    emailKey: 'Email',
    mobileKey: 'Mobile',
    noneGiven: 'None',
    tags: { notGiven: 'Not given', notWorking: 'Not working', receiving: 'Receiving alerts', notReceiving: 'Not receiving alerts' },
    emailStarts: 'Email alerts start once you confirm your address with the link we send.',
    sendConfirmEmail: 'Send me a confirmation email',
    smsStarts: 'Text message alerts start once you enter the code we send to your mobile.',
    codesExpire: 'Codes expire after 15 minutes.',
    sendCode: 'Send me a code',
    yourChoices: 'Your choices',
    contactDetails: 'Contact details',
    contactIntro: 'A new email address or mobile number gets alerts once you confirm it. Leave one blank to stop using it.',
    save: 'Save changes',
    whoMay: 'Who may send you alerts',
    agreedOn: (at: string) => `You agreed on ${at}.`,
    withdrewOn: (at: string) => `You withdrew your agreement on ${at}.`,
    notAgreed: 'You have not agreed.',
    stopFrom: (who: string) => `Stop alerts from ${who}`,
    agreeTo: (who: string) => `I agree to alerts from ${who}`,
    yourInfo: 'Your information',
    download: 'Download everything we hold about you',
    jsonFile: '(a JSON file)',
    deleteLink: 'Delete your account',
    saved: (sent: ('email' | 'sms')[]) =>
      `Your choices have been saved.${sent.length ? ` We have sent ${sent.map(c => (c === 'email' ? 'a link to your new email address' : 'a code to your new mobile number')).join(' and ')}: alerts go there once you confirm.` : ''}`,
    agreed: (who: string) => `You have agreed to alerts from ${who}`,
    stopped: (who: string) => `You will get no more alerts from ${who}`,
    mobileConfirmed: 'Your mobile number is confirmed',
    alreadyConfirmed: 'That is already confirmed',
    sentConfirmEmail: 'We have sent you a confirmation email',
    sentCode: 'We have sent you a code',
  },
  remove: {
    title: 'Delete your account',
    what: 'We will delete your contact details, places, interests, consent records, replies’ link to you and your feedback. You will get no more alerts, and links in messages you already have will stop working.',
    counts: 'We keep anonymous counts (for example, how many messages were delivered in an area) that cannot identify you.',
    downloadFirst: ['You may want to', 'download your information', 'first.'],
    button: 'Delete my account',
    doneTitle: 'Your account has been deleted',
    doneBody: 'We have deleted everything we held about you. You will get no more alerts.',
    again: ['You can', 'sign up again', 'at any time.'],
  },
  unsubscribe: {
    titleAll: 'Stop all alerts?',
    titleSms: 'Stop text message alerts?',
    titleEmail: 'Stop email alerts?',
    channels: { both: 'by email or text message', sms: 'by text message', email: 'by email' },
    noMore: (channels: string) => `You will get no more community alerts ${channels}.`,
    kept: 'Your other choices are kept, and you can start again at any time.',
    button: 'Unsubscribe',
    tooMany: ['Getting too many messages? You can', 'choose fewer places or interests, or a daily or weekly summary', 'instead.'],
    doneTitle: 'You have unsubscribed',
    doneManage: ['Manage your alerts', 'to start again, change your choices, download your information or delete your account.'],
  },
  reply: {
    title: 'Reply to this message',
    caption: (title: string) => `Reply to: ${title}`,
    warning: 'Do not use this form to report a crime or an emergency. In an emergency call 999. For non-emergencies call 101.',
    yourReply: 'Your reply',
    howAnswer: 'How would you like an answer?',
    byEmailTo: (masked: string) => `By email to ${masked}`,
    bySmsTo: (masked: string) => `By text message to ${masked}`,
    noAnswer: 'I do not need an answer',
    button: 'Send reply',
    closedTitle: 'This message does not take replies',
    closedBody: (title: string) => `The message “${title}” does not take replies.`,
    whatYouWrote: 'What you wrote',
    copyIt: 'Copy it if you want to send it another way.',
    closedHelp: ['To report a crime or give information, call 101, or 999 in an emergency. You can also contact your', 'neighbourhood team', '.'],
    sentTitle: 'Reply sent',
    sentThanks: (title: string) => `Thank you. Your reply has reached the team that sent “${title}”.`,
    sentNoAnswer: 'You asked for no answer.',
    sentAim: (channel: string) => `We aim to answer within 72 hours, ${channel === 'email' ? 'by email' : 'by text message'}.`,
    /** GOV.UK character count's own words (its defaults are English) */
    count: {
      textareaDescriptionText: 'You can enter up to %{count} characters',
      charactersUnderLimitText: { one: 'You have %{count} character remaining', other: 'You have %{count} characters remaining' },
      charactersAtLimitText: 'You have 0 characters remaining',
      charactersOverLimitText: { one: 'You have %{count} character too many', other: 'You have %{count} characters too many' },
    },
  },
  feedback: {
    title: 'Was this message useful?',
    yes: 'Yes',
    no: 'No',
    button: 'Send',
    thanksTitle: 'Thank you for your feedback',
    thanksBody: 'Your answer helps us send messages people find useful. You can change it by using the link again.',
  },
  links: {
    expired: { title: 'This link has expired', body: 'Links to confirm an email address work for 24 hours. Sign up again to get a new one.' },
    forged: {
      title: 'This link is not valid',
      body: 'The link may have been copied wrongly or cut short. Check you copied the whole link from the message, or use the link in a newer message.',
    },
    revoked: {
      title: 'This link no longer works',
      body: 'The account it was for may have been deleted, or newer links replaced it. Use the link in your most recent message, or sign up again.',
    },
    used: { title: 'This link has already been used', body: 'Your email address is confirmed. Use the link in your welcome email to manage your alerts.' },
    goTo: 'Go to community alerts',
  },
  errors: {
    codeEnter: 'Enter the 6-digit code from the text message',
    codeWrong: (left: number) => `The code is not correct. You can try ${left} more ${left === 1 ? 'time' : 'times'}`,
    codeExpired: 'The code has expired. Send a new code',
    codeTooMany: 'You have entered a wrong code too many times. Send a new code',
    codeNone: 'There is no code waiting for this number. Send a new code',
    tooManyEmails: 'You have asked for 3 emails in the last hour. Wait an hour and try again',
    tooManyCodes: 'You have asked for 3 codes in the last hour. Wait an hour and try again',
    tooManyConfirmations: 'You have asked for 3 confirmations in the last hour. Wait an hour and try again',
    wordingChanged: 'The wording of the agreement has changed. Read it again and select who may send you alerts',
  },
}

export type PublicWords = typeof en

const cy: PublicWords = {
  layout: {
    errorPrefix: 'Gwall',
    errorTitle: 'Mae problem wedi codi',
    skip: 'Neidio i’r prif gynnwys',
    languageNav: 'Iaith',
    success: 'Llwyddiant',
    important: 'Pwysig',
    menu: 'Dewislen',
    nav: { find: 'Dod o hyd i’ch cymdogaeth', all: 'Pob cymdogaeth', alerts: 'Rhybuddion cymunedol' },
    footer: {
      support: 'Dolenni cymorth',
      accessibility: 'Datganiad hygyrchedd',
      privacy: 'Hysbysiad preifatrwydd',
      staff: 'Mewngofnodi staff',
      runBy: (force: string) => `Yn cael ei redeg gan ${force} gyda Beacon, meddalwedd cod agored.`,
    },
    englishOnly: '(Saesneg)',
  },
  common: { back: 'Yn ôl', warning: 'Rhybudd', error: 'Gwall', yes: 'Oedd', no: 'Nac oedd', send: 'Anfon' },
  start: {
    title: 'Rhybuddion cymunedol',
    heading: (force: string) => `Cael rhybuddion cymunedol gan ${force}`,
    lead: 'Clywch am apeliadau, troseddau, sgamiau a digwyddiadau lle rydych chi’n byw, yn gweithio neu’n poeni amdano, drwy e-bost neu neges destun.',
    youChoose: 'Chi sy’n dewis:',
    choices: [
      'y lleoedd: cod post eich cartref, codau post eraill, cymdogaethau, ardaloedd neu ardal gyfan yr heddlu',
      'beth sydd o ddiddordeb i chi',
      'a ydych yn cael pob neges ar unwaith neu mewn crynodeb dyddiol neu wythnosol',
      'Cymraeg neu Saesneg',
    ],
    noPassword:
      'Does dim angen cyfrinair arnoch. Mae dolen ym mhob neges i newid eich dewisiadau, ymateb, neu stopio unrhyw bryd. Gallwch lawrlwytho popeth sydd gennym amdanoch neu ddileu eich cyfrif.',
    warning: 'Nid yw rhybuddion ar gyfer rhoi gwybod am drosedd. Mewn argyfwng, ffoniwch 999. Os nad yw’n argyfwng, ffoniwch 101.',
    button: 'Dechrau nawr',
    privacy: 'Sut rydym yn defnyddio eich gwybodaeth',
  },
  signUp: {
    title: 'Cofrestru ar gyfer rhybuddion cymunedol',
    contactLegend: 'Sut dylem ni gysylltu â chi?',
    contactIntro: 'Rhowch gyfeiriad e-bost, rhif ffôn symudol yn y DU, neu’r ddau. Byddwn yn anfon dolen neu god i wirio mai chi biau nhw.',
    email: 'Cyfeiriad e-bost',
    phone: 'Rhif ffôn symudol yn y DU',
    phoneHint: 'Er enghraifft, 07700 900982',
    consentLegend: 'Pwy gaiff anfon rhybuddion atoch chi?',
    consentHint: 'Mae angen eich cytundeb ar bob sefydliad. Nid yw cytuno i un yn cynnwys y llall. Gallwch newid hyn unrhyw bryd.',
    consentEnglishOnly: 'Mae geiriad pob cytundeb ar gael yn Saesneg yn unig ar hyn o bryd. Dyma’r union eiriau y byddwch yn cytuno iddynt.',
    button: 'Cofrestru',
  },
  organisations: {
    opcc: 'Swyddfa’r Comisiynydd Heddlu a Throseddu',
    opccShort: 'swyddfa’r Comisiynydd Heddlu a Throseddu',
  },
  prefs: {
    placesLegend: 'Am ble rydych chi eisiau rhybuddion?',
    homePostcode: 'Cod post eich cartref',
    homeHint: 'Rydym yn ei ddefnyddio i ddod o hyd i’ch cymdogaeth. Gadewch ef yn wag os nad ydych yn byw yn yr ardal, a dewiswch leoedd isod.',
    otherPostcodes: 'Codau post eraill (dewisol)',
    otherHint: 'Er enghraifft, lle rydych chi’n gweithio neu lle mae perthynas yn byw. Un cod post ar bob llinell, hyd at 5.',
    chooseNeighbourhoods: 'Dewis cymdogaethau o’r rhestr',
    wholeDistricts: 'Ardaloedd cyfan (dewisol)',
    wholeForce: 'Ardal gyfan yr heddlu (dewisol)',
    wholeForceHint: 'Dewiswch hyn dim ond os ydych eisiau rhybuddion am bob man: mae’n golygu mwy o negeseuon.',
    forceItem: (force: string) => `Ardal gyfan ${force}`,
    interestsLegend: 'Beth sydd o ddiddordeb i chi?',
    interestsHint: 'Dewiswch bob un sy’n berthnasol.',
    frequencyLegend: 'Pa mor aml rydych chi eisiau negeseuon?',
    emergencyInset: 'Mae negeseuon brys, fel plentyn ar goll neu risg difrifol i ddiogelwch, bob amser yn cyrraedd ar unwaith, beth bynnag a ddewiswch yma.',
    byEmail: 'Drwy e-bost',
    bySms: 'Drwy neges destun',
    frequencies: { immediate: 'Cyn gynted ag y cânt eu hanfon', daily: 'Crynodeb dyddiol', weekly: 'Crynodeb wythnosol' },
    languageLegend: 'Ym mha iaith rydych chi eisiau negeseuon?',
    languageHint:
      'Daw rhybuddion yn Gymraeg pan fydd fersiwn Gymraeg wedi’i hysgrifennu, ac yn Saesneg fel arall. Mae ein negeseuon ein hunain (codau, dolenni, crynodebau) bob amser yn yr iaith a ddewiswch.',
  },
  check: {
    title: 'Cadarnhau eich manylion cyswllt',
    checkEmail: 'Edrychwch ar eich e-bost',
    emailSent: 'Rydym wedi anfon e-bost gyda dolen i gadarnhau eich cyfeiriad. Agorwch y ddolen o fewn 24 awr.',
    spam: 'Os na fydd yr e-bost yn cyrraedd o fewn ychydig funudau, edrychwch yn eich ffolder sbam neu sothach.',
    resendEmail: 'Anfon yr e-bost eto',
    enterCode: 'Rhowch y cod a anfonwyd atoch mewn neges destun',
    codeLabel: 'Cod 6 digid',
    codeHint: 'Mae’r cod yn dod i ben ar ôl 15 munud.',
    confirmMobile: 'Cadarnhau fy rhif ffôn symudol',
    newCode: 'Anfon cod newydd',
    alreadySummary: 'Os ydych chi eisoes yn cael rhybuddion',
    alreadyText:
      'Nid ydym yn cofrestru’r un cyfeiriad e-bost neu rif ffôn symudol ddwywaith. Os yw eich un chi eisoes yn cael rhybuddion, rydym wedi anfon dolen ato i’w rheoli yn lle neges gadarnhau.',
    noSignUpTitle: 'Dim cofrestriad i’w gadarnhau',
    noSignUpBody: 'Ni allem ddod o hyd i gofrestriad sy’n aros i gael ei gadarnhau ar y ddyfais hon. Efallai ei bod yn fwy na diwrnod, neu efallai nad yw eich porwr yn cadw cwcis.',
    signUpAgain: 'Cofrestru eto',
    sentEmailAgain: 'Rydym wedi anfon yr e-bost eto',
    sentNewCode: 'Rydym wedi anfon cod newydd',
  },
  confirmed: {
    emailTitle: 'Cyfeiriad e-bost wedi’i gadarnhau',
    smsTitle: 'Rhif ffôn symudol wedi’i gadarnhau',
    panel: (channel: string) => `Byddwch nawr yn cael rhybuddion cymunedol ${channel === 'email' ? 'drwy e-bost' : 'drwy neges destun'}`,
    welcomeSent: 'Rydym wedi anfon neges groeso atoch gyda dolen i reoli eich rhybuddion. Cadwch hi: mae’n gweithio heb gyfrinair.',
    manageNow: 'Rheoli eich rhybuddion nawr',
    findTeam: 'Dod o hyd i dîm eich cymdogaeth',
  },
  confirm: {
    title: 'Cadarnhau eich cyfeiriad e-bost',
    intro: (force: string, masked: string) => `Cadarnhewch eich bod eisiau rhybuddion cymunedol gan ${force} i ${masked}.`,
    button: 'Cadarnhau fy nghyfeiriad e-bost',
    notYou: 'Os na wnaethoch chi gofrestru, caewch y dudalen hon: ni fyddwn yn anfon dim atoch.',
  },
  manage: {
    title: 'Rheoli eich rhybuddion',
    keepPrivate: 'Gall unrhyw un sydd â’r ddolen i’r dudalen hon newid eich rhybuddion, felly peidiwch â’i rhannu.',
    howContact: 'Sut rydym yn cysylltu â chi',
    emailKey: 'E-bost',
    mobileKey: 'Ffôn symudol',
    noneGiven: 'Dim',
    tags: { notGiven: 'Heb ei roi', notWorking: 'Ddim yn gweithio', receiving: 'Yn cael rhybuddion', notReceiving: 'Ddim yn cael rhybuddion' },
    emailStarts: 'Bydd rhybuddion e-bost yn dechrau unwaith y byddwch yn cadarnhau eich cyfeiriad gyda’r ddolen a anfonwn.',
    sendConfirmEmail: 'Anfon e-bost cadarnhau ataf',
    smsStarts: 'Bydd rhybuddion neges destun yn dechrau unwaith y byddwch yn rhoi’r cod a anfonwn i’ch ffôn symudol.',
    codesExpire: 'Mae codau’n dod i ben ar ôl 15 munud.',
    sendCode: 'Anfon cod ataf',
    yourChoices: 'Eich dewisiadau',
    contactDetails: 'Manylion cyswllt',
    contactIntro: 'Bydd cyfeiriad e-bost neu rif ffôn symudol newydd yn cael rhybuddion unwaith y byddwch yn ei gadarnhau. Gadewch un yn wag i roi’r gorau i’w ddefnyddio.',
    save: 'Cadw’r newidiadau',
    whoMay: 'Pwy gaiff anfon rhybuddion atoch chi',
    agreedOn: (at: string) => `Fe wnaethoch gytuno ar ${at}.`,
    withdrewOn: (at: string) => `Fe wnaethoch dynnu eich cytundeb yn ôl ar ${at}.`,
    notAgreed: 'Nid ydych wedi cytuno.',
    stopFrom: (who: string) => `Stopio rhybuddion gan ${who}`,
    agreeTo: (who: string) => `Rwy’n cytuno i gael rhybuddion gan ${who}`,
    yourInfo: 'Eich gwybodaeth',
    download: 'Lawrlwytho popeth sydd gennym amdanoch',
    jsonFile: '(ffeil JSON)',
    deleteLink: 'Dileu eich cyfrif',
    saved: (sent: ('email' | 'sms')[]) => {
      const what =
        sent.length === 2
          ? 'dolen i’ch cyfeiriad e-bost newydd a chod i’ch rhif ffôn symudol newydd'
          : sent[0] === 'email'
            ? 'dolen i’ch cyfeiriad e-bost newydd'
            : 'cod i’ch rhif ffôn symudol newydd'
      return `Mae eich dewisiadau wedi’u cadw.${sent.length ? ` Rydym wedi anfon ${what}: bydd rhybuddion yn mynd yno unwaith y byddwch yn cadarnhau.` : ''}`
    },
    agreed: (who: string) => `Rydych wedi cytuno i gael rhybuddion gan ${who}`,
    stopped: (who: string) => `Ni fyddwch yn cael rhagor o rybuddion gan ${who}`,
    mobileConfirmed: 'Mae eich rhif ffôn symudol wedi’i gadarnhau',
    alreadyConfirmed: 'Mae hwnnw eisoes wedi’i gadarnhau',
    sentConfirmEmail: 'Rydym wedi anfon e-bost cadarnhau atoch',
    sentCode: 'Rydym wedi anfon cod atoch',
  },
  remove: {
    title: 'Dileu eich cyfrif',
    what: 'Byddwn yn dileu eich manylion cyswllt, eich lleoedd, eich diddordebau, cofnodion eich cytundeb, y cysylltiad rhwng eich ymatebion a chi, a’ch adborth. Ni fyddwch yn cael rhagor o rybuddion, a bydd y dolenni yn y negeseuon sydd gennych eisoes yn peidio â gweithio.',
    counts: 'Rydym yn cadw cyfrifon dienw (er enghraifft, faint o negeseuon a gyrhaeddodd ardal) na allant eich adnabod.',
    downloadFirst: ['Efallai yr hoffech', 'lawrlwytho eich gwybodaeth', 'yn gyntaf.'],
    button: 'Dileu fy nghyfrif',
    doneTitle: 'Mae eich cyfrif wedi’i ddileu',
    doneBody: 'Rydym wedi dileu popeth oedd gennym amdanoch. Ni fyddwch yn cael rhagor o rybuddion.',
    again: ['Gallwch', 'gofrestru eto', 'unrhyw bryd.'],
  },
  unsubscribe: {
    titleAll: 'Stopio pob rhybudd?',
    titleSms: 'Stopio rhybuddion neges destun?',
    titleEmail: 'Stopio rhybuddion e-bost?',
    channels: { both: 'drwy e-bost na neges destun', sms: 'drwy neges destun', email: 'drwy e-bost' },
    noMore: (channels: string) => `Ni fyddwch yn cael rhagor o rybuddion cymunedol ${channels}.`,
    kept: 'Bydd eich dewisiadau eraill yn cael eu cadw, a gallwch ddechrau eto unrhyw bryd.',
    button: 'Dad-danysgrifio',
    tooMany: ['Cael gormod o negeseuon? Gallwch', 'ddewis llai o leoedd neu ddiddordebau, neu grynodeb dyddiol neu wythnosol', 'yn lle hynny.'],
    doneTitle: 'Rydych wedi dad-danysgrifio',
    doneManage: ['Rheoli eich rhybuddion', 'i ddechrau eto, newid eich dewisiadau, lawrlwytho eich gwybodaeth neu ddileu eich cyfrif.'],
  },
  reply: {
    title: 'Ymateb i’r neges hon',
    caption: (title: string) => `Ymateb i: ${title}`,
    warning: 'Peidiwch â defnyddio’r ffurflen hon i roi gwybod am drosedd neu argyfwng. Mewn argyfwng, ffoniwch 999. Os nad yw’n argyfwng, ffoniwch 101.',
    yourReply: 'Eich ymateb',
    howAnswer: 'Sut hoffech chi gael ateb?',
    byEmailTo: (masked: string) => `Drwy e-bost i ${masked}`,
    bySmsTo: (masked: string) => `Drwy neges destun i ${masked}`,
    noAnswer: 'Does dim angen ateb arnaf',
    button: 'Anfon ymateb',
    closedTitle: 'Nid yw’r neges hon yn derbyn ymatebion',
    closedBody: (title: string) => `Nid yw’r neges “${title}” yn derbyn ymatebion.`,
    whatYouWrote: 'Beth ysgrifennoch chi',
    copyIt: 'Copïwch ef os ydych am ei anfon mewn ffordd arall.',
    closedHelp: ['I roi gwybod am drosedd neu roi gwybodaeth, ffoniwch 101, neu 999 mewn argyfwng. Gallwch hefyd gysylltu â', 'thîm eich cymdogaeth', '.'],
    sentTitle: 'Ymateb wedi’i anfon',
    sentThanks: (title: string) => `Diolch. Mae eich ymateb wedi cyrraedd y tîm a anfonodd “${title}”.`,
    sentNoAnswer: 'Dywedoch nad oes angen ateb arnoch.',
    sentAim: (channel: string) => `Ein nod yw ateb o fewn 72 awr, ${channel === 'email' ? 'drwy e-bost' : 'drwy neges destun'}.`,
    count: {
      textareaDescriptionText: 'Gallwch roi hyd at %{count} nod',
      charactersUnderLimitText: { one: 'Mae gennych %{count} nod ar ôl', other: 'Mae gennych %{count} nod ar ôl' },
      charactersAtLimitText: 'Mae gennych 0 nod ar ôl',
      charactersOverLimitText: { one: 'Mae gennych %{count} nod yn ormod', other: 'Mae gennych %{count} nod yn ormod' },
    },
  },
  feedback: {
    title: 'Oedd y neges hon yn ddefnyddiol?',
    yes: 'Oedd',
    no: 'Nac oedd',
    button: 'Anfon',
    thanksTitle: 'Diolch am eich adborth',
    thanksBody: 'Mae eich ateb yn ein helpu i anfon negeseuon y mae pobl yn eu cael yn ddefnyddiol. Gallwch ei newid drwy ddefnyddio’r ddolen eto.',
  },
  links: {
    expired: { title: 'Mae’r ddolen hon wedi dod i ben', body: 'Mae dolenni i gadarnhau cyfeiriad e-bost yn gweithio am 24 awr. Cofrestrwch eto i gael un newydd.' },
    forged: {
      title: 'Nid yw’r ddolen hon yn ddilys',
      body: 'Efallai fod y ddolen wedi’i chopïo’n anghywir neu wedi’i thorri’n fyr. Gwnewch yn siŵr eich bod wedi copïo’r ddolen gyfan o’r neges, neu defnyddiwch y ddolen mewn neges fwy diweddar.',
    },
    revoked: {
      title: 'Nid yw’r ddolen hon yn gweithio mwyach',
      body: 'Efallai fod y cyfrif y bu ar ei gyfer wedi’i ddileu, neu fod dolenni mwy newydd wedi cymryd ei lle. Defnyddiwch y ddolen yn eich neges ddiweddaraf, neu cofrestrwch eto.',
    },
    used: {
      title: 'Mae’r ddolen hon eisoes wedi’i defnyddio',
      body: 'Mae eich cyfeiriad e-bost wedi’i gadarnhau. Defnyddiwch y ddolen yn eich e-bost croeso i reoli eich rhybuddion.',
    },
    goTo: 'Mynd i rybuddion cymunedol',
  },
  errors: {
    codeEnter: 'Rhowch y cod 6 digid o’r neges destun',
    codeWrong: (left: number) => `Nid yw’r cod yn gywir. Gallwch geisio ${left === 1 ? 'unwaith' : `${left} gwaith`} eto`,
    codeExpired: 'Mae’r cod wedi dod i ben. Anfonwch god newydd',
    codeTooMany: 'Rydych wedi rhoi cod anghywir ormod o weithiau. Anfonwch god newydd',
    codeNone: 'Does dim cod yn aros ar gyfer y rhif hwn. Anfonwch god newydd',
    tooManyEmails: 'Rydych wedi gofyn am yr e-bost 3 gwaith yn yr awr ddiwethaf. Arhoswch awr a rhowch gynnig arall arni',
    tooManyCodes: 'Rydych wedi gofyn am god 3 gwaith yn yr awr ddiwethaf. Arhoswch awr a rhowch gynnig arall arni',
    tooManyConfirmations: 'Rydych wedi gofyn am gadarnhad 3 gwaith yn yr awr ddiwethaf. Arhoswch awr a rhowch gynnig arall arni',
    wordingChanged: 'Mae geiriad y cytundeb wedi newid. Darllenwch ef eto a dewiswch pwy gaiff anfon rhybuddion atoch chi',
  },
}

export const PUBLIC_WORDS: Record<Lang, PublicWords> = { en, cy }

/**
 * Welsh for the error messages the subscribers service and the forms' schemas write in
 * English (they are the same words wherever a subscription is changed, so they are
 * translated here rather than in each place). A message with no Welsh stays English.
 */
const WELSH_ERRORS: [RegExp, string][] = [
  [/^Enter a full UK postcode, like DS1 1AA \(you entered (.+)\)$/, 'Rhowch god post llawn yn y DU, fel DS1 1AA (fe wnaethoch roi $1)'],
  [/^Enter a full UK postcode, like DS1 1AA$/, 'Rhowch god post llawn yn y DU, fel DS1 1AA'],
  [/^We could not find the postcode (.+)\. Check it, or choose the neighbourhood from the list$/, 'Ni allem ddod o hyd i’r cod post $1. Gwiriwch ef, neu dewiswch y gymdogaeth o’r rhestr'],
  [/^(.+) is outside the (.+) area, so we cannot send you alerts for it$/, 'Mae $1 y tu allan i ardal $2, felly ni allwn anfon rhybuddion atoch ar ei gyfer'],
  [/^Enter up to (\d+) other postcodes$/, 'Rhowch hyd at $1 cod post arall'],
  [/^Choose places from the lists$/, 'Dewiswch leoedd o’r rhestrau'],
  [/^Enter your home postcode, or choose at least one place to get alerts about$/, 'Rhowch god post eich cartref, neu dewiswch o leiaf un lle i gael rhybuddion amdano'],
  [/^Select at least one interest$/, 'Dewiswch o leiaf un diddordeb'],
  [/^Select interests from the list$/, 'Dewiswch ddiddordebau o’r rhestr'],
  [/^Select how often you want messages$/, 'Dewiswch pa mor aml rydych chi eisiau negeseuon'],
  [/^Select English or Welsh$/, 'Dewiswch Gymraeg neu Saesneg'],
  [/^Enter an email address in the correct format, like name@example\.com$/, 'Rhowch gyfeiriad e-bost yn y fformat cywir, fel enw@example.com'],
  [/^Enter a UK mobile number, like 07700 900982 or \+44 7700 900982$/, 'Rhowch rif ffôn symudol yn y DU, fel 07700 900982 neu +44 7700 900982'],
  [/^Enter an email address or a UK mobile number, or both$/, 'Rhowch gyfeiriad e-bost neu rif ffôn symudol yn y DU, neu’r ddau'],
  [/^Email address must be 254 characters or fewer$/, 'Rhaid i’r cyfeiriad e-bost fod yn 254 nod neu lai'],
  [/^Select who may send you alerts: you need to agree to at least one$/, 'Dewiswch pwy gaiff anfon rhybuddion atoch chi: mae angen i chi gytuno i o leiaf un'],
  [/^Select organisations from the list$/, 'Dewiswch sefydliadau o’r rhestr'],
  [/^We could not send an email to this address\. Check it and try again$/, 'Ni allem anfon e-bost i’r cyfeiriad hwn. Gwiriwch ef a rhowch gynnig arall arni'],
  [/^We could not send a text message to this number\. Check it and try again$/, 'Ni allem anfon neges destun i’r rhif hwn. Gwiriwch ef a rhowch gynnig arall arni'],
  [/^That email address already gets alerts on another account$/, 'Mae’r cyfeiriad e-bost hwnnw eisoes yn cael rhybuddion ar gyfrif arall'],
  [/^That mobile number already gets alerts on another account$/, 'Mae’r rhif ffôn symudol hwnnw eisoes yn cael rhybuddion ar gyfrif arall'],
  [/^Enter your reply$/, 'Rhowch eich ymateb'],
  [/^Your reply must be ([\d,]+) characters or fewer$/, 'Rhaid i’ch ymateb fod yn $1 nod neu lai'],
  [/^We do not have an email address for you: choose another way to get an answer$/, 'Does gennym ni ddim cyfeiriad e-bost ar eich cyfer: dewiswch ffordd arall o gael ateb'],
  [/^We do not have a mobile number for you: choose another way to get an answer$/, 'Does gennym ni ddim rhif ffôn symudol ar eich cyfer: dewiswch ffordd arall o gael ateb'],
  [/^Choose how you would like an answer$/, 'Dewiswch sut hoffech chi gael ateb'],
  [/^Select yes if the message was useful$/, 'Dewiswch “Oedd” os oedd y neges yn ddefnyddiol'],
  [/^Enter the 6-digit code from the text message$/, cy.errors.codeEnter],
  [/^The code is 6 numbers, like 123456$/, 'Mae’r cod yn 6 rhif, fel 123456'],
]

/** An error message in the page's language. */
export function errorIn(lang: Lang, message: string): string {
  if (lang !== 'cy') return message
  for (const [pattern, welsh] of WELSH_ERRORS) if (pattern.test(message)) return message.replace(pattern, welsh)
  return message
}

/** Every field's error in the page's language. */
export function errorsIn(lang: Lang, errors: FieldErrors): FieldErrors {
  return Object.fromEntries(Object.entries(errors).map(([field, message]) => [field, errorIn(lang, message)]))
}

/** Which language a request asks for: `?lang=cy|en` first, then the resident's own choice, then English. */
export function pageLang(request: FastifyRequest, fallback?: string | null): Lang {
  const q = (request.query as Record<string, unknown> | undefined)?.lang
  if (q === 'cy' || q === 'en') return q
  return fallback === 'cy' ? 'cy' : 'en'
}

/** True when the address chose the language (`?lang=`): links and forms then keep it. */
const explicitLang = (request: FastifyRequest) => {
  const q = (request.query as Record<string, unknown> | undefined)?.lang
  return q === 'cy' || q === 'en'
}

/**
 * What every resident page needs for its language: the words (`t`), the page's `lang` for
 * <html lang>, `lq` to add to this page's own links and form actions so the language holds,
 * and the link to the same page in the other language.
 */
export function langContext(request: FastifyRequest, lang: Lang) {
  const t = PUBLIC_WORDS[lang]
  const path = request.url.split('?')[0]!
  const other: Lang = lang === 'cy' ? 'en' : 'cy'
  const lq = explicitLang(request) || lang === 'cy' ? `?lang=${lang}` : ''
  return {
    t,
    lang,
    htmlLang: lang,
    lq,
    languageSwitch: { href: `${path}?lang=${other}`, text: other === 'cy' ? 'Cymraeg' : 'English', lang: other },
    /** a GOV.UK macro's errorMessage for a field, with the hidden "Error:" in the page's language */
    fieldError: (errors: FieldErrors | undefined, field: string) => (errors?.[field] ? { text: errors[field], visuallyHiddenText: t.common.error } : false),
  }
}

/** `?lang=` to keep on a redirect after a form, when the page was not in the default language. */
export const langSuffix = (request: FastifyRequest, lang: Lang, defaultLang: Lang = 'en') => (explicitLang(request) || lang !== defaultLang ? `?lang=${lang}` : '')
