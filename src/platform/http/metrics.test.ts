import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { registerMetrics } from './metrics.ts'
import { jobsSent } from '../jobs/metrics.ts'

describe('/metrics', () => {
  it('serves Prometheus text with HTTP metrics by route pattern and the job metrics', async () => {
    const app = Fastify()
    registerMetrics(app)
    app.get('/things/:id', async () => 'ok')
    app.get('/broken', async () => {
      throw new Error('boom')
    })
    await app.ready()
    await app.inject('/things/1')
    await app.inject('/things/2')
    await app.inject('/broken')
    jobsSent.inc({ queue: 'metrics-test' })

    const res = await app.inject('/metrics')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('text/plain')
    const text = res.body
    // Both requests to /things/:id share one label, so ids never multiply the series.
    expect(text).toMatch(/beacon_http_request_duration_seconds_count\{method="GET",route="\/things\/:id",status="200"\} 2/)
    expect(text).not.toContain('route="/things/1"')
    expect(text).toMatch(/beacon_http_server_errors_total\{route="\/broken"\} 1/)
    expect(text).toMatch(/beacon_jobs_sent_total\{queue="metrics-test"\} 1/)
    expect(text).toContain('beacon_process_cpu_seconds_total')
    await app.close()
  })

  it('keeps each app’s HTTP counts apart', async () => {
    const a = Fastify()
    const b = Fastify()
    registerMetrics(a)
    registerMetrics(b)
    a.get('/x', async () => 'x')
    b.get('/x', async () => 'x')
    await a.ready()
    await b.ready()
    await a.inject('/x')
    await a.inject('/x')
    await b.inject('/x')
    expect((await a.inject('/metrics')).body).toMatch(/route="\/x",status="200"\} 2/)
    expect((await b.inject('/metrics')).body).toMatch(/route="\/x",status="200"\} 1/)
    await a.close()
    await b.close()
  })
})
