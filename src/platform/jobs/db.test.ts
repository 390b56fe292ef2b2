import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, usingPostgres } from '../../../test/helpers.ts'
import type { Database } from '../db/client.ts'
import { bossDbFor, type BossDb } from './db.ts'

describe(`pg-boss database adapter on ${usingPostgres() ? 'PostgreSQL' : 'PGlite'}`, () => {
  let db: Database
  let boss: BossDb
  beforeAll(async () => {
    db = await createTestDatabase()
    boss = bossDbFor(db)
    await db.query('create table adapter_test (n int primary key)')
  })
  afterAll(async () => db.close())

  it('runs parameterised statements and answers their rows', async () => {
    const { rows } = await boss.executeSql('select $1::int + $2::int as sum, $3::text as missing', [2, 3, undefined])
    expect(rows).toEqual([{ sum: 5, missing: null }])
  })

  it('runs parameterless scripts of several statements and answers the last rows', async () => {
    const { rows } = await boss.executeSql(`
      BEGIN;
      insert into adapter_test values (1);
      insert into adapter_test values (2);
      COMMIT;
    `)
    expect(rows).toBeDefined()
    expect(await db.query('select n from adapter_test order by n')).toEqual([{ n: 1 }, { n: 2 }])
  })

  it('rolls back a script that fails part-way and leaves the connection usable', async () => {
    await expect(
      boss.executeSql(`
        BEGIN;
        insert into adapter_test values (3);
        insert into adapter_test values (1);
        COMMIT;
      `),
    ).rejects.toThrow(/duplicate key/)
    // Neither half of the failed script stayed, and the next statements run normally.
    expect(await db.query('select n from adapter_test order by n')).toEqual([{ n: 1 }, { n: 2 }])
    for (let i = 0; i < 6; i++) expect((await boss.executeSql('select 1 as one')).rows).toEqual([{ one: 1 }])
  })

  it('is safe to call concurrently with the application’s own queries', async () => {
    const work = Array.from({ length: 40 }, (_, i) =>
      i % 2
        ? boss.executeSql('insert into adapter_test values ($1)', [100 + i])
        : i % 4
          ? boss.executeSql(`BEGIN; insert into adapter_test values (${100 + i}); COMMIT;`)
          : db.query('insert into adapter_test values ($1)', [100 + i]),
    )
    await Promise.all(work)
    const [row] = await db.query<{ n: number }>('select count(*)::int as n from adapter_test where n >= 100')
    expect(row!.n).toBe(40)
  })
})
