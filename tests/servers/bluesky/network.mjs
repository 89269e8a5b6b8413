// A real local Bluesky network for Hustings' tests: @atproto/dev-env's TestNetwork (PLC, PDS,
// AppView with its event-stream subscription, bsync, ozone) on loopback.
//
// Started once per test session by tests/servers/fixtures.py. Environment:
//   DB_POSTGRES_URL     a PostgreSQL database the AppView, bsync and ozone may fill (their
//                       schemas are appview_<schema>, bsync_<schema>, ozone_<schema>)
//   DB_POSTGRES_SCHEMA  letters only (dev-env builds SQL identifiers from it)
//   REDIS_HOST          127.0.0.1:PORT of a running redis-server
//
// When the network is up it prints one JSON line: {"ready": true, "pds": ..., "appview": ...,
// "plc": ..., "seconds": <TestNetwork.create>, "process_seconds": <since Node started>}. Then it reads one JSON command a line on stdin and answers one JSON line on
// stdout with the same "id": {"id": 1, "ok": true, "result": {...}} or {"id": 1, "ok": false,
// "error": "..."}. Every write waits until the AppView has indexed it, so a test can read it
// through the PDS straight away, as a user's client would. EOF on stdin or SIGTERM closes the
// network and exits 0. Everything else dev-env logs goes to stderr.
import readline from 'node:readline'
import { TestNetwork, RecordRef } from '@atproto/dev-env'

// dev-env and the services it starts log with console.log; stdout is the command channel.
const out = process.stdout.write.bind(process.stdout)
console.log = (...args) => console.error(...args)
const reply = (obj) => out(JSON.stringify(obj) + '\n')

const schema = process.env.DB_POSTGRES_SCHEMA || 'hustings'
if (!/^[a-z]+$/.test(schema)) {
  throw new Error(`DB_POSTGRES_SCHEMA must be lowercase letters only, got ${schema}`)
}

const started = Date.now()
const network = await TestNetwork.create({
  dbPostgresUrl: process.env.DB_POSTGRES_URL,
  dbPostgresSchema: schema,
})
const sc = network.getSeedClient()

const ref = (r) => new RecordRef(r.uri, r.cid)
const refJson = (r) => ({ uri: r.uriStr, cid: r.cidStr })

// UTF-8 byte offsets of each "@handle" in text, as app.bsky.richtext.facet wants them.
function mentionFacets(text, dids) {
  const facets = []
  const encoder = new TextEncoder()
  for (const did of dids) {
    const account = sc.accounts[did]
    if (!account) throw new Error(`unknown account ${did}: create it first`)
    const tag = `@${account.handle}`
    const at = text.indexOf(tag)
    if (at < 0) throw new Error(`text does not contain ${tag}`)
    const byteStart = encoder.encode(text.slice(0, at)).length
    facets.push({
      index: { byteStart, byteEnd: byteStart + encoder.encode(tag).length },
      features: [{ $type: 'app.bsky.richtext.facet#mention', did }],
    })
  }
  return facets
}

const commands = {
  async create_account({ handle, password, email }) {
    const account = await sc.createAccount(handle, {
      handle,
      password,
      email: email ?? `${handle.split('.')[0]}@hustings.test`,
    })
    return { did: account.did, handle: account.handle, password }
  },
  async post({ did, text, facets }) {
    return refJson((await sc.post(did, text, facets ?? undefined)).ref)
  },
  async reply({ did, root, parent, text, facets }) {
    return refJson((await sc.reply(did, ref(root), ref(parent), text, facets ?? undefined)).ref)
  },
  // A post (or, with root and parent, a reply) whose text names each mentioned account as
  // "@handle", with a mention facet for each: what a Bluesky client sends.
  async mention({ did, mentions, text, root, parent }) {
    const facets = mentionFacets(text, mentions)
    const made = root
      ? await sc.reply(did, ref(root), ref(parent ?? root), text, facets)
      : await sc.post(did, text, facets)
    return refJson(made.ref)
  },
  async follow({ did, subject }) {
    return refJson(await sc.follow(did, subject))
  },
  async like({ did, subject }) {
    return { uri: (await sc.like(did, ref(subject))).toString() }
  },
  async process_all() {
    return {}
  },
}

async function handle(line) {
  let id = null
  try {
    const msg = JSON.parse(line)
    id = msg.id ?? null
    const run = commands[msg.cmd]
    if (!run) throw new Error(`unknown command ${msg.cmd}`)
    const result = await run(msg)
    await network.processAll()
    reply({ id, ok: true, result })
  } catch (err) {
    reply({ id, ok: false, error: String(err?.message ?? err) })
  }
}

let closing = false
async function shutdown() {
  if (closing) return
  closing = true
  try {
    await network.close()
  } catch (err) {
    console.error('closing the network:', err)
  }
  process.exit(0)
}
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)

reply({
  ready: true,
  pds: network.pds.url,
  appview: network.bsky.url,
  plc: network.plc.url,
  seconds: (Date.now() - started) / 1000,
  process_seconds: process.uptime(),
})

// One command at a time, in order: a reply must not race the post it answers.
let queue = Promise.resolve()
const lines = readline.createInterface({ input: process.stdin })
lines.on('line', (line) => {
  if (line.trim()) queue = queue.then(() => handle(line))
})
lines.on('close', () => queue.then(shutdown))
