// A real Bluesky PDS (@atproto/pds) for the test suite, with an in-memory PLC directory.
// Listens on 127.0.0.1 only. Prints one line `READY {"pds": url, "plc": url}` when serving.
// Env: CP_PDS_PORT (required), CP_PDS_DATA (a fresh directory), CP_PDS_ADMIN_PASSWORD.
import http from 'node:http'
import net from 'node:net'
import crypto from 'node:crypto'
import path from 'node:path'
import * as plc from '@did-plc/lib'
import { PDS, envToCfg, envToSecrets, readEnv } from '@atproto/pds'

// The PDS calls app.listen(port) with no host, which would bind every interface: keep it on loopback.
const listen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1')
  return listen.apply(this, args)
}

// The PLC directory: operations kept in memory, each checked with @did-plc/lib before it is kept.
function startPlc() {
  const logs = new Map()
  const send = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }
  const server = http.createServer(async (req, res) => {
    const parts = decodeURIComponent(new URL(req.url, 'http://plc').pathname).split('/').filter(Boolean)
    const did = parts[0]
    try {
      if (req.method === 'POST' && did) {
        let raw = ''
        for await (const chunk of req) raw += chunk
        const op = JSON.parse(raw)
        const ops = logs.get(did) ?? []
        await plc.validateOperationLog(did, [...ops, op])
        logs.set(did, [...ops, op])
        return send(res, 200, {})
      }
      const ops = logs.get(did)
      if (!ops) return send(res, 404, { message: `DID not registered: ${did}` })
      const data = await plc.validateOperationLog(did, ops)
      if (parts[1] === 'data') return send(res, 200, data)
      if (parts[1] === 'log' && parts[2] === 'last') return send(res, 200, ops[ops.length - 1])
      if (parts[1] === 'log') return send(res, 200, ops)
      return send(res, 200, plc.formatDidDoc(data))
    } catch (err) {
      return send(res, 400, { message: String(err?.message ?? err) })
    }
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

const plcServer = await startPlc()
const plcUrl = `http://127.0.0.1:${plcServer.address().port}`
const port = Number(process.env.CP_PDS_PORT)
const data = process.env.CP_PDS_DATA
Object.assign(process.env, {
  PDS_PORT: String(port),
  PDS_HOSTNAME: 'localhost',
  PDS_DEV_MODE: 'true',
  PDS_DATA_DIRECTORY: data,
  PDS_BLOBSTORE_DISK_LOCATION: path.join(data, 'blobs'),
  PDS_DID_PLC_URL: plcUrl,
  PDS_INVITE_REQUIRED: 'false',
  PDS_RATE_LIMITS_ENABLED: 'true',
  PDS_JWT_SECRET: crypto.randomBytes(16).toString('hex'),
  PDS_ADMIN_PASSWORD: process.env.CP_PDS_ADMIN_PASSWORD || 'admin-pass',
  PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX: crypto.randomBytes(32).toString('hex'),
  PDS_CRAWLERS: '',
  LOG_ENABLED: 'false',
})
// No app view, moderation, report service, crawlers or e-mail: nothing leaves the machine.
for (const name of Object.keys(process.env)) {
  if (/^PDS_(BSKY_APP_VIEW|MOD_SERVICE|REPORT_SERVICE|EMAIL|MODERATION_EMAIL|ENTRYWAY)/.test(name)) {
    delete process.env[name]
  }
}
const env = readEnv()
const pds = await PDS.create(envToCfg(env), envToSecrets(env))
await pds.start()
console.log(`READY ${JSON.stringify({ pds: `http://127.0.0.1:${port}`, plc: plcUrl })}`)

const stop = async () => {
  await pds.destroy().catch(() => {})
  plcServer.close()
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
