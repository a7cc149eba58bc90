#!/usr/bin/env node
// A Brook client in plain Node.js: no Brook SDK, only gRPC and the documented .proto files.
// It describes the cluster, creates a topic if needed, produces a few records, fetches them back
// (decoding Kafka v2 record batches by hand) and shows how errors come back: per partition, as an
// ErrorCode from errors.proto plus a message.
//
//   node brook-client.js [--bootstrap HOST:PORT] [--topic NAME]   (or env BROOK_BOOTSTRAP)
'use strict';
const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

// ---------------------------------------------------------------- arguments
const args = process.argv.slice(2);
const arg = (name, fallback) => (args.indexOf(name) >= 0 ? args[args.indexOf(name) + 1] : fallback);
const bootstrap = arg('--bootstrap', process.env.BROOK_BOOTSTRAP || '127.0.0.1:9092');
const topic = arg('--topic', 'node-example');

// ---------------------------------------------------------------- loading the .proto files
// The include path is the directory above brook/v1, so `import "brook/v1/errors.proto"` resolves;
// google/protobuf/descriptor.proto (imported by errors.proto) ships with protobufjs.
const PROTO_DIR = path.join(__dirname, '../../api/src/main/proto');
const GOOGLE_DIR = path.dirname(require.resolve('protobufjs/package.json'));
const definition = protoLoader.loadSync(['brook/v1/broker.proto', 'brook/v1/admin.proto'], {
  includeDirs: [PROTO_DIR, GOOGLE_DIR],
  keepCase: true,  // field names as in the .proto files (error_code, not errorCode)
  longs: String,   // int64 as decimal strings: JS numbers lose precision above 2^53
  enums: String,   // enum values as names: error_code arrives as 'UNKNOWN_TOPIC_OR_PARTITION'
  defaults: true,  // unset proto3 fields appear with their default values
  oneofs: true,    // a oneof's case is in a virtual field (for example `payload`)
});
const v1 = grpc.loadPackageDefinition(definition).brook.v1;

// errors.proto marks every code with a custom option `(retriable)`. proto-loader does not expose
// custom options, so read them with protobufjs (which proto-loader uses underneath).
const errorsRoot = new protobuf.Root();
errorsRoot.resolvePath = (_origin, target) =>
  [PROTO_DIR, GOOGLE_DIR].map((dir) => path.join(dir, target)).find(fs.existsSync) || target;
const ErrorCode = errorsRoot.loadSync('brook/v1/errors.proto').lookupEnum('brook.v1.ErrorCode');
// 'UNKNOWN_TOPIC_OR_PARTITION' -> 'UNKNOWN_TOPIC_OR_PARTITION (3, retriable)'; 'NONE' -> 'NONE'
const describeCode = (name) => {
  if (name === 'NONE') return name;
  const retriable = (ErrorCode.valuesOptions[name] || {})['(retriable)'];
  return `${name} (${ErrorCode.values[name]}, ${retriable ? 'retriable' : 'not retriable'})`;
};

// ---------------------------------------------------------------- gRPC helpers
const channels = new Map(); // one BrokerService/AdminService client pair per "host:port"
function clients(address) {
  if (!channels.has(address)) {
    const creds = grpc.credentials.createInsecure();
    channels.set(address, {
      broker: new v1.BrokerService(address, creds),
      admin: new v1.AdminService(address, creds),
    });
  }
  return channels.get(address);
}
// Unary call as a promise, with a 15 s deadline. A rejection is a gRPC status (the call failed:
// unreachable broker, deadline, ...); outcomes of a call that did run are in the response.
const call = (client, method, request) => new Promise((resolve, reject) =>
  client[method](request, { deadline: Date.now() + 15000 }, (err, res) => (err ? reject(err) : resolve(res))));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- Kafka v2 record batches
// Layout: storage-engine/FORMAT.md. Big-endian fixed-size integers; zigzag varints in records.

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bitwise: slow but short.
function crc32c(buf) {
  let crc = 0xffffffff;
  for (const byte of buf) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0x82f63b78 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

// Reads zigzag varints from buf starting at pos; BigInt so a varlong's 64 bits survive.
function reader(buf, pos) {
  return {
    varlong() {
      let z = 0n;
      for (let shift = 0n; ; shift += 7n) {
        const b = buf[pos++];
        z |= BigInt(b & 0x7f) << shift;
        if ((b & 0x80) === 0) break;
        if (shift >= 63n) throw new Error('malformed varint');
      }
      return (z >> 1n) ^ -(z & 1n); // zigzag decode: 0->0, 1->-1, 2->1, 3->-2 ...
    },
    varint() { return Number(this.varlong()); },
    bytes(len) { // a length-prefixed field: -1 means null
      if (len < 0) return null;
      const out = buf.subarray(pos, pos + len);
      pos += len;
      return out;
    },
  };
}

// Yields { offset, timestamp, key, value, headers } for every record of every whole batch.
function* decodeBatches(buf) {
  let pos = 0;
  while (pos + 61 <= buf.length) {
    const baseOffset = buf.readBigInt64BE(pos);
    const size = 12 + buf.readInt32BE(pos + 8); // batchLength counts the bytes after itself
    if (pos + size > buf.length) break;          // a partial batch at the end: ignore it
    const batch = buf.subarray(pos, pos + size);
    pos += size;
    if (batch.readInt8(16) !== 2) throw new Error('not a magic 2 batch');
    if (batch.readUInt32BE(17) !== crc32c(batch.subarray(21))) throw new Error('CRC-32C mismatch');
    const attributes = batch.readInt16BE(21);
    if ((attributes & 0x07) !== 0) { // bits 0-2: the codec; 0 is none
      console.log(`  (batch at offset ${baseOffset} is compressed, codec ${attributes & 7}: skipped)`);
      continue;
    }
    const baseTimestamp = batch.readBigInt64BE(27);
    const recordCount = batch.readInt32BE(57);
    const r = reader(batch, 61);
    for (let i = 0; i < recordCount; i++) {
      r.varint();                                // record length (we read field by field instead)
      r.bytes(1);                                // record attributes, unused
      const timestamp = baseTimestamp + r.varlong();
      const offset = baseOffset + r.varlong();
      const key = r.bytes(r.varint());
      const value = r.bytes(r.varint());
      const headers = [];
      for (let h = r.varint(); h > 0; h--) headers.push([r.bytes(r.varint()).toString(), r.bytes(r.varint())]);
      yield { offset, timestamp, key, value, headers };
    }
  }
}

// ---------------------------------------------------------------- the walk-through
async function main() {
  const seed = clients(bootstrap);

  // 1. Metadata: any broker answers for the whole cluster.
  let md = await call(seed.broker, 'GetMetadata', { topics: [] });
  console.log(`cluster ${md.cluster_id}, controller ${md.controller_id >= 0 ? md.controller_id : 'unknown (-1)'}`);
  for (const b of md.brokers) console.log(`  broker ${b.broker_id} at ${b.host}:${b.port}${b.rack ? ' rack ' + b.rack : ''}`);

  // 2. Create the topic unless it exists (1 partition, the cluster's default replication factor).
  if (!md.topics.some((t) => t.name === topic)) {
    const created = await call(seed.admin, 'CreateTopics',
      { topics: [{ name: topic, num_partitions: 1, replication_factor: -1 }] });
    for (const t of created.topics) console.log(`create topic ${t.name}: ${describeCode(t.error_code)} ${t.error_message}`.trim());
  }
  // A new partition needs a moment to elect a leader: ask until it has one.
  let partitions;
  for (let attempt = 0; ; attempt++) {
    md = await call(seed.broker, 'GetMetadata', { topics: [topic] });
    partitions = md.topics[0].partitions;
    if (md.topics[0].error_code === 'NONE' && partitions.length && partitions.every((p) => p.leader_id >= 0)) break;
    if (attempt === 50) throw new Error(`no leader for ${topic}: ${md.topics[0].error_code}`);
    await sleep(200);
  }
  console.log(`topic ${topic}:`);
  for (const p of partitions) {
    console.log(`  partition ${p.partition} leader ${p.leader_id} (epoch ${p.leader_epoch}) replicas [${p.replicas}] isr [${p.isr}]`);
  }

  // Produce and fetch go to the partition's leader: find its address in the broker list.
  const leader = md.brokers.find((b) => b.broker_id === partitions[0].leader_id);
  const leaderClients = clients(`${leader.host}:${leader.port}`);

  // 3. Produce plain records to partition 0 (the broker builds the record batch), acks=all.
  //    A second entry asks for partition 99, which does not exist: that partition alone fails.
  const now = Date.now();
  const records = ['one', 'two', 'three'].map((word, i) => ({
    key: Buffer.from(`key-${i}`),
    value: Buffer.from(`hello ${word} from node`),
    headers: [{ key: 'client', value: Buffer.from('brook-client.js') }],
    timestamp_ms: String(now),
  }));
  const recordList = { records, producer_id: '-1', producer_epoch: -1, base_sequence: -1 };
  const produced = await call(leaderClients.broker, 'Produce', {
    acks: -1,
    timeout_ms: 10000,
    topics: [{ topic, partitions: [{ partition: 0, records: recordList }, { partition: 99, records: recordList }] }],
  });
  let baseOffset = '0'; // where to fetch from: the batch's first offset (0 if the produce failed)
  for (const t of produced.topics) {
    for (const p of t.partitions) {
      console.log(`produce ${t.topic}-${p.partition}: ${describeCode(p.error_code)} base_offset ${p.base_offset}` +
        (p.error_message ? `\n    message: ${p.error_message}` : ''));
      if (p.partition === 0 && p.error_code === 'NONE') baseOffset = p.base_offset;
    }
  }

  // 4. Fetch from the base offset and decode the batches.
  const fetched = await call(leaderClients.broker, 'Fetch', {
    max_wait_ms: 500,
    min_bytes: 1,
    topics: [{ topic, partitions: [{ partition: 0, fetch_offset: baseOffset, current_leader_epoch: -1 }] }],
  });
  for (const t of fetched.topics) {
    for (const p of t.partitions) {
      console.log(`fetch ${t.topic}-${p.partition} from ${baseOffset}: ${describeCode(p.error_code)} ` +
        `high_watermark ${p.high_watermark} next_offset ${p.next_offset} (${p.record_batches.length} bytes)`);
      for (const rec of decodeBatches(p.record_batches)) {
        if (rec.offset < BigInt(baseOffset)) continue; // a batch may start before fetch_offset
        const headers = rec.headers.map(([k, v]) => `${k}=${v}`).join(',');
        console.log(`  offset ${rec.offset} key ${rec.key} value "${rec.value}" headers ${headers} ` +
          `timestamp ${new Date(Number(rec.timestamp)).toISOString()}`);
      }
    }
  }
}

main()
  .catch((err) => {
    // A gRPC status means the call itself failed (err.code: a grpc.status number, e.g. 14 UNAVAILABLE).
    const status = err.code !== undefined ? ` (gRPC status ${err.code} ${grpc.status[err.code]})` : '';
    console.error(`error: ${err.details || err.message}${status}`);
    process.exitCode = 1;
  })
  .finally(() => channels.forEach((c) => { c.broker.close(); c.admin.close(); }));
