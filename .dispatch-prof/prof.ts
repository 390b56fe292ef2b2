import pg from 'pg'
import { createDatabase, runMigrations } from '../src/platform/db/client.ts'
import { createSendingMessage, queueDeliveries, seedSubscribers } from '../src/modules/messaging/dispatch/testing.ts'
const N = Number(process.argv[2] ?? 60000)
const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' })
await admin.connect()
await admin.query('drop database if exists beacon_prof with (force)')
await admin.query('create database beacon_prof')
await admin.end()
const db = await createDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:5432/beacon_prof' })
await runMigrations(db)
const people = await seedSubscribers(db, N)
const id = await createSendingMessage(db)
await queueDeliveries(db, id, people)
await db.query('analyze')
await db.close()
console.log('ok')
