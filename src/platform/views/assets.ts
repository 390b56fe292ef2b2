import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import fastifyStatic from '@fastify/static'
import type { Config } from '../../config.ts'

const require = createRequire(import.meta.url)
export const govukDist = path.join(path.dirname(require.resolve('govuk-frontend/package.json')), 'dist')
export const srcRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..')

/**
 * GOV.UK Frontend's stylesheet with the GDS Transport font removed: that typeface is
 * licensed for GOV.UK only, and Beacon is brand-neutral. Computed once at boot.
 */
function brandNeutralCss(): string {
  const css = readFileSync(path.join(govukDist, 'govuk/govuk-frontend.min.css'), 'utf8')
  return css.replace(/@font-face\{[^}]*\}/g, '').replace(/GDS Transport,?/g, '')
}

/** The force's colour and a few layout rules of Beacon's own. */
function brandCss(config: Config): string {
  return `:root{--govuk-brand-colour:${config.brand.colour}}
.beacon-header{background:${config.brand.colour};color:#fff;border-bottom:10px solid ${config.brand.colour}}
.beacon-header .govuk-generic-header__homepage-link,.beacon-header a{color:#fff}
.beacon-header__logo{height:32px;vertical-align:middle;margin-right:10px}
.beacon-map{max-width:100%;height:auto;border:1px solid #b1b4b6;background:#f3f2f1}
.beacon-map .beacon-map__area{fill:${config.brand.colour};fill-opacity:.35;stroke:${config.brand.colour};stroke-width:2;vector-effect:non-scaling-stroke}
.beacon-map .beacon-map__context{fill:#fff;stroke:#505a5f;stroke-width:1;vector-effect:non-scaling-stroke}
.beacon-qr svg{width:200px;height:200px}
.beacon-table-scroll{overflow-x:auto}
/* Wrappers are focusable (tabindex=0) so keyboard users can scroll wide tables: axe scrollable-region-focusable. */
.beacon-link-button{background:none;border:0;padding:0;margin:0;font:inherit;color:inherit;cursor:pointer;text-decoration:underline}
.beacon-sign-out{margin:0}
.beacon-chart{display:block;width:100%;max-width:640px;height:auto;margin:0 0 10px}
.beacon-chart-figure{margin:0 0 30px}
.beacon-chart__bar,.beacon-chart__point{fill:${config.brand.colour}}
.beacon-chart__line{stroke:${config.brand.colour}}
.beacon-chart__label,.beacon-chart__value{fill:#0b0c0c;font-family:inherit;font-size:14px}
.beacon-chart__axis{stroke:#505a5f}
.beacon-table-scroll:focus-visible{outline:3px solid #ffdd00;box-shadow:inset 0 0 0 2px #0b0c0c}
.beacon-outbox__html{white-space:pre-wrap;overflow-wrap:anywhere}
`
}

export async function registerAssets(app: FastifyInstance, config: Config): Promise<void> {
  const frontendCss = brandNeutralCss()
  const ownCss = brandCss(config)
  const cache = config.isProduction ? 'public, max-age=86400' : 'no-cache'
  app.get('/assets/beacon.css', async (_req, reply) =>
    reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', cache).send(frontendCss + ownCss),
  )
  await app.register(fastifyStatic, {
    root: path.join(govukDist, 'govuk'),
    prefix: '/assets/govuk/',
    allowedPath: p => p === '/govuk-frontend.min.js' || p.startsWith('/assets/images/') || p === '/assets/manifest.json',
    maxAge: config.isProduction ? 86400000 : 0,
  })
  await app.register(fastifyStatic, {
    root: path.join(srcRoot, 'web/assets'),
    prefix: '/assets/app/',
    decorateReply: false,
    maxAge: config.isProduction ? 86400000 : 0,
  })
}
