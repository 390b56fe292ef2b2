/**
 * Inbound email payloads shaped as the providers document and send them, for the adapter
 * tests: SendGrid Inbound Parse (parsed format) and a Mailgun route's forward(), plus
 * Mailgun's "opened" event. Field names, order and formats follow the providers' own
 * examples; addresses and ids are the test's.
 */

/** SendGrid Inbound Parse fields for a reply (default "parsed" format, no raw MIME). */
export function sendGridReply(o: { from: string; to: string; text: string; inReplyTo?: string; html?: string; charset?: string }): Record<string, string> {
  const references = o.inReplyTo ? `References: ${o.inReplyTo}\r\nIn-Reply-To: ${o.inReplyTo}\r\n` : ''
  const charset = o.charset ?? 'UTF-8'
  return {
    headers:
      'Received: by mx0047p1mdw1.sendgrid.net with SMTP id 6WCVv7KAWn Mon, 02 Mar 2026 10:53:06 +0000 (UTC)\r\n' +
      'Received: from mail-io0-f169.example.com (mail-io0-f169.example.com [192.0.2.169]) by mx0047p1mdw1.sendgrid.net (Postfix) with ESMTPS id AA9FFA817F2\r\n' +
      '\tfor <' + o.to + '>; Mon, 02 Mar 2026 10:53:06 +0000 (UTC)\r\n' +
      'DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n        d=example.com; s=20150623;\r\n        h=mime-version:from:date:message-id:subject:to;\r\n        bh=DpB1CYYeumytcPF3q0Upvx3Sq/oF4ZblEwnuVzFwqGI=;\r\n        b=GH5YTxNA3f1bQ==\r\n' +
      'MIME-Version: 1.0\r\n' +
      `From: ${o.from}\r\n` +
      'Date: Mon, 2 Mar 2026 10:53:05 +0000\r\n' +
      'Message-ID: <CAN_P_JSvbk0YtHJu=bmBHLvL5nREGC+bCX6rQTwBwKPYfEbdSA@mail.example.com>\r\n' +
      references +
      'Subject: Re: Appeal\r\n' +
      `To: ${o.to}\r\n` +
      'Content-Type: multipart/alternative; boundary=001a113df448cad2d00538a3ad4c\r\n',
    dkim: '{@example.com : pass}',
    'content-ids': '{}',
    to: o.to,
    html: o.html ?? `<div dir="ltr">${o.text.split('\n')[0]}</div>`,
    from: o.from,
    text: o.text,
    sender_ip: '192.0.2.169',
    spam_report:
      'Spam detection software, running on the system "mx0047p1mdw1.sendgrid.net", has\r\nidentified this incoming email as possible spam.\r\n',
    envelope: JSON.stringify({ to: [/<([^>]+)>/.exec(o.to)?.[1] ?? o.to], from: /<([^>]+)>/.exec(o.from)?.[1] ?? o.from }),
    attachments: '0',
    subject: 'Re: Appeal',
    spam_score: '0.011',
    charsets: JSON.stringify({ to: 'UTF-8', html: charset, subject: 'UTF-8', from: 'UTF-8', text: charset }),
    SPF: 'pass',
  }
}

/** A Mailgun route's forward() fields for a reply ("fully parsed"), before signing. */
export function mailgunReply(o: { from: string; recipient: string; bodyPlain: string; strippedText?: string; inReplyTo?: string }): Record<string, string> {
  const headers: [string, string][] = [
    ['X-Mailgun-Incoming', 'Yes'],
    ['X-Envelope-From', `<${/<([^>]+)>/.exec(o.from)?.[1] ?? o.from}>`],
    ['Received', 'from mail-qk0-f171.example.com (mail-qk0-f171.example.com [192.0.2.171]) by mxa.mailgun.org with ESMTP id 56b3a2f3.7f1e4a1b9e70-in01; Mon, 02 Mar 2026 10:53:07 -0000 (UTC)'],
    ['Mime-Version', '1.0'],
    ['Date', 'Mon, 2 Mar 2026 10:53:05 +0000'],
    ...(o.inReplyTo ? ([['In-Reply-To', o.inReplyTo], ['References', o.inReplyTo]] as [string, string][]) : []),
    ['Message-Id', '<CAGUmVPhrK9b7bG7Ow@mail.example.com>'],
    ['Subject', 'Re: Appeal'],
    ['From', o.from],
    ['To', o.recipient],
    ['Content-Type', 'multipart/alternative; boundary="001a1140b3b2c3f4b6052a83f0c2"'],
  ]
  return {
    recipient: o.recipient,
    sender: /<([^>]+)>/.exec(o.from)?.[1] ?? o.from,
    from: o.from,
    subject: 'Re: Appeal',
    'body-plain': o.bodyPlain,
    'stripped-text': o.strippedText ?? o.bodyPlain.split('\n\nOn ')[0]!,
    'stripped-signature': '',
    'body-html': `<div dir="ltr">${o.bodyPlain.split('\n')[0]}</div>`,
    'stripped-html': `<div dir="ltr">${o.bodyPlain.split('\n')[0]}</div>`,
    'attachment-count': '0',
    'message-headers': JSON.stringify(headers),
    'content-id-map': '{}',
    ...Object.fromEntries(headers),
  }
}

/** Mailgun's event webhook body for an "opened" event (JSON), before signing. */
export function mailgunOpened(o: { messageId: string; at: Date }): { 'event-data': Record<string, unknown> } {
  return {
    'event-data': {
      tags: [],
      timestamp: o.at.getTime() / 1000,
      storage: { url: 'https://se.api.mailgun.net/v3/domains/beacon.example/messages/message_key', key: 'message_key' },
      'recipient-domain': 'example.com',
      id: 'CPgfbmQMTCKtHW6uIWtuVe',
      campaigns: [],
      'user-variables': {},
      flags: { 'is-routed': false, 'is-authenticated': true, 'is-system-test': false, 'is-test-mode': false },
      'log-level': 'info',
      message: { headers: { to: 'Ann <ann@example.com>', 'message-id': o.messageId, from: 'Demo Shire Police <alerts@beacon.example>', subject: 'Appeal' } },
      recipient: 'ann@example.com',
      event: 'opened',
      'client-info': { 'client-type': 'browser', 'client-os': 'Linux', 'device-type': 'desktop', 'client-name': 'Chrome' },
      geolocation: { country: 'GB', region: 'ENG', city: 'Leeds' },
    },
  }
}

/** A multipart/form-data body as a provider sends it, fields then files; `bytes` lets a field carry non-UTF-8 text. */
export function multipartBody(fields: Record<string, string>, files: { name: string; filename: string; type: string; content: Buffer }[] = [], bytes: Record<string, Buffer> = {}) {
  const boundary = 'xYzZY' + 'a1b2c3d4e5f6'
  const chunks: Buffer[] = []
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`))
    chunks.push(bytes[name] ?? Buffer.from(value, 'utf8'))
    chunks.push(Buffer.from('\r\n'))
  }
  for (const f of files) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.name}"; filename="${f.filename}"\r\nContent-Type: ${f.type}\r\n\r\n`))
    chunks.push(f.content, Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` }
}
