// bench-bolt-work.js: the Bolt 5.1.0 peer that does the same real work as
// Stagecoach for the load tool's commands, so "Stagecoach work ÷ Bolt
// work" compares like with like. scripts/bench-bolt.sh copies it next to
// node_modules (@slack/bolt, redis) and runs it; it is not part of the
// product.
//
// For every /coach command it acks at once (or answers busy when its
// bounded queue is full), then, in one of 16 workers:
//   new "<name>"        creates the team on first use (first user: admin)
//                       and the deal, atomically in one Lua script
//   show D-k            reads the team and the deal JSON from Redis, checks
//                       the user may see the deal, renders a Block Kit card
//                       the size of Stagecoach's deal card, POSTs it to
//                       response_url
//   check|uncheck D-k <item>, note D-k <text>
//                       the same reads and check, then writes the deal back
//                       with a version check in a Lua script (a conflict is
//                       answered "changed by others, try again"), then the card
//
// Environment: PORT (3997), REDIS_URL (redis://127.0.0.1:6379/0),
// SIGNING_SECRET (bench-secret), WORKERS (16), QUEUE (1024).
'use strict';
const { App, LogLevel } = require('@slack/bolt');
const { createClient, defineScript } = require('redis');

const PORT = Number(process.env.PORT || 3997);
const WORKERS = Number(process.env.WORKERS || 16);
const QUEUE = Number(process.env.QUEUE || 1024);
const BUSY = "I'm busy right now. Please try again in a moment.";

// Keys share the team's hash tag, as Stagecoach's do.
const teamKey = (t) => `bolt:{${t}}:team`;
const dealKey = (t, id) => `bolt:{${t}}:deal:${id}`;
const seqKey = (t) => `bolt:{${t}}:seq`;

const redis = createClient({
  url: process.env.REDIS_URL || 'redis://127.0.0.1:6379/0',
  scripts: {
    // KEYS: team, seq, deal prefix; ARGV: user, name, now. Creates the team
    // (user = admin) when missing, numbers the deal, stores it.
    createDeal: defineScript({
      NUMBER_OF_KEYS: 2,
      SCRIPT: `
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('SET', KEYS[1], cjson.encode({version = 1, members = {[ARGV[1]] = 'admin'}}))
end
local n = redis.call('INCR', KEYS[2])
local id = 'D-' .. n
local deal = cjson.encode({id = id, name = ARGV[2], owner = ARGV[1], status = 'open', stage = 0,
  checked = {}, notes = {}, buyer = 0, version = 1, created = ARGV[4]})
redis.call('HSET', ARGV[3] .. id, 'v', 1, 'json', deal)
return deal`,
      transformArguments: (team, seq, user, name, prefix, now) => [team, seq, user, name, prefix, now],
      transformReply: (r) => r,
    }),
    // KEYS: deal; ARGV: expected version, new JSON. 1 = stored, 0 = conflict.
    casDeal: defineScript({
      NUMBER_OF_KEYS: 1,
      SCRIPT: `
local v = redis.call('HGET', KEYS[1], 'v')
if v ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', tonumber(ARGV[1]) + 1, 'json', ARGV[2])
return 1`,
      transformArguments: (key, version, json) => [key, String(version), json],
      transformReply: (r) => r,
    }),
  },
});
redis.on('error', (err) => console.error('redis:', err.message));

// The stage-1 checklist and the buyer stages, as in Stagecoach's card.
const ITEMS = [
  ['s1.m1', 'The invited customer meets our target-customer criteria'],
  ['s1.m2', 'The contact is at least the project handler'],
  ['s1.m3', 'The customer is fairly interested and will consider it seriously'],
  ['s1.s1', 'A specific time and place are fixed with the handler'],
  ['s1.s2', 'The customer is proactive; the interaction is not forced'],
];
const ITEM_IDS = new Set(ITEMS.map(([id]) => id));
const BUYER = ['unknown', 'C1 Finds a problem, raises a need', 'C2 Studies feasibility, sets a budget',
  'C3 Approves the project, forms a purchasing group', 'C4 Sets the procurement criteria', 'C5 Tender',
  'C6 Bid evaluation, preferred supplier named', 'C7 Contract review and negotiation', 'C8 Both sides agree and sign'];

const pt = (text) => ({ type: 'plain_text', text, emoji: true });
const md = (text) => ({ type: 'mrkdwn', text, verbatim: true });
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// The replies have the sizes of Stagecoach's (the load tool prints the mean
// size per command: show ≈ 4.8 kB, check/uncheck ≈ 1.9 kB, note ≈ 0.2 kB):
// show is the whole card, check/uncheck the checklist part, note a line.
function checklist(d, lead) {
  const checked = new Set(d.checked);
  const done = ITEMS.filter(([id]) => checked.has(id)).length;
  const missing = ITEMS.slice(0, 3).filter(([id]) => !checked.has(id)).map(([id, t]) => `${id} ${t}`);
  const opt = ([id, t]) => ({ text: pt(`${id} ${t}`), value: id });
  const boxes = { type: 'checkboxes', action_id: 'ck', options: ITEMS.map(opt) };
  if (done > 0) boxes.initial_options = ITEMS.filter(([id]) => checked.has(id)).map(opt);
  const blocks = [
    { type: 'section', text: md(esc(lead)) },
    { type: 'section', text: md(`${'▰'.repeat(done)}${'▱'.repeat(8 - done)}  ${done}/8  ·  Stage ${d.stage} reached`) },
    { type: 'section', text: md(missing.length ? `Still missing for stage 1: ${missing.join('; ')}.` : 'Stage 1 is complete.') },
    { type: 'actions', block_id: `ck|600|${d.id}|${ITEMS.map(([id]) => id).join(',')}`, elements: [boxes] },
    { type: 'actions', elements: [
      { type: 'button', text: pt('Show'), action_id: 'cmd:0', value: `show ${d.id}`, style: 'primary' },
      { type: 'button', text: pt('Coach'), action_id: 'cmd:1', value: `coach ${d.id} needs` },
      { type: 'button', text: pt('History'), action_id: 'cmd:2', value: `history ${d.id}` }] },
  ];
  return { response_type: 'in_channel', replace_original: false, text: `${lead} ${d.id} ${d.name}`, blocks };
}

function card(d, lead) {
  const checked = new Set(d.checked);
  const done = ITEMS.filter(([id]) => checked.has(id)).length;
  const missing = ITEMS.slice(0, 3).filter(([id]) => !checked.has(id)).map(([id, t]) => `${id} ${t}`);
  const opt = ([id, t]) => ({ text: pt(`${id} ${t}`), value: id });
  const boxes = { type: 'checkboxes', action_id: 'ck', options: ITEMS.map(opt) };
  if (done > 0) boxes.initial_options = ITEMS.filter(([id]) => checked.has(id)).map(opt);
  const buyer = BUYER.map((t, i) => ({ text: pt(t), value: `buyer ${d.id} ${i}` }));
  const blocks = [];
  if (lead) blocks.push({ type: 'section', text: md(esc(lead)) });
  blocks.push(
    { type: 'header', text: pt(`${d.id} · ${d.name}`) },
    { type: 'section', fields: [md(`*Owner*\n${d.owner}`), md(`*Status*\n${d.status}`), md(`*Win probability*\n${done * 5}%`)] },
    { type: 'section', text: md(`${'▰'.repeat(done)}${'▱'.repeat(8 - done)}  ${done}/8  ·  Stage ${d.stage} reached · stage ${d.stage} completed (of 8)`) },
    { type: 'section', text: md(missing.length ? `Not started: to reach stage 1 · Customer planning &amp; phone invitation, still missing: ${missing.join('; ')}.` : 'Stage 1 is complete.') },
    { type: 'section', fields: [md(`*Customer buying stage*\n${BUYER[d.buyer]}`), md("*Buyer sync*\nunknown — record the customer's buying stage with `buyer &lt;deal&gt; &lt;1-8&gt;`.")] },
    { type: 'section', text: md('*stage 1 · Customer planning &amp; phone invitation — milestone: Interest*') },
    { type: 'actions', block_id: `ck|600|${d.id}|${ITEMS.map(([id]) => id).join(',')}`, elements: [boxes] },
    { type: 'context', elements: [md(`${d.notes.length} notes · 0 d since progress`)] },
    { type: 'section', text: md('*Next step* · Confirm with the handler that the customer meets the target-customer criteria, then fix a time and place for the first visit; record what you learn with `note`.') },
    { type: 'section', text: md(d.notes.length ? `*Last note* · ${esc(d.notes[d.notes.length - 1].text)}` : '*Notes* · none yet — add one with `note <deal> <text>`.') },
    { type: 'context', elements: [md('Tip: the buyer moves first; align your stage with the customer buying stage before you push for the next meeting.')] },
    { type: 'context', elements: [md(`Forms 0/4 complete: ○s1.t1 ○s1.t2 ○s1.t3 ○s1.t4 (\`form ${d.id}\`)`)] },
    { type: 'actions', elements: [
      { type: 'button', text: pt('Prep'), action_id: 'cmd:0', value: `prep ${d.id}`, style: 'primary' },
      { type: 'button', text: pt('Coach'), action_id: 'cmd:1', value: `coach ${d.id} needs` },
      { type: 'button', text: pt('History'), action_id: 'cmd:2', value: `history ${d.id}` }] },
    { type: 'section', text: md('Customer buying stage') },
    { type: 'actions', elements: [{ type: 'static_select', placeholder: pt('Customer buying stage…'), action_id: 'sel:0', options: buyer, initial_option: buyer[d.buyer] }] },
  );
  const text = `${d.id} ${d.name} — ${missing.length ? 'still missing: ' + missing.join('; ') : 'stage 1 complete'}`;
  return { response_type: 'in_channel', replace_original: false, text, blocks };
}

async function reply(url, msg) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(msg) });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`response_url: HTTP ${res.status}`);
}

const say = (text) => ({ response_type: 'ephemeral', text });

// parseDeal reads a deal's JSON (Lua's cjson writes an empty list as {}).
function parseDeal(raw) {
  const d = JSON.parse(raw);
  if (!Array.isArray(d.checked)) d.checked = [];
  if (!Array.isArray(d.notes)) d.notes = [];
  return d;
}

// load reads the team and the deal and checks the user may see it: team
// admins and managers see every deal, reps their own.
async function load(team, user, id) {
  const t = await redis.get(teamKey(team));
  if (!t) return { err: `No deal "${id}" that you can see.` };
  const role = JSON.parse(t).members[user];
  const raw = await redis.hGet(dealKey(team, id), 'json');
  if (!raw) return { err: `No deal "${id}" that you can see.` };
  const d = parseDeal(raw);
  if (!role || (role === 'rep' && d.owner !== user)) return { err: `No deal "${id}" that you can see.` };
  return { d };
}

async function work(cmd) {
  const text = cmd.text.trim();
  const [verb, id, ...rest] = text.split(/\s+/);
  if (verb === 'new') {
    const name = text.slice(3).trim().replace(/^"(.*)"$/, '$1');
    if (!name) return reply(cmd.response_url, say('Missing name.'));
    const raw = await redis.createDeal(teamKey(cmd.team_id), seqKey(cmd.team_id), cmd.user_id, name, dealKey(cmd.team_id, ''), new Date().toISOString());
    const d = parseDeal(raw);
    return reply(cmd.response_url, card(d, `Created ${d.id} “${d.name}”.`));
  }
  if (!['show', 'check', 'uncheck', 'note'].includes(verb) || !id) {
    return reply(cmd.response_url, say(`I don't know the command "${verb}".`));
  }
  const { d, err } = await load(cmd.team_id, cmd.user_id, id);
  if (err) return reply(cmd.response_url, say(err));
  if (verb === 'show') return reply(cmd.response_url, card(d));
  const changed = verb === 'note'
    ? (x, lead) => ({ response_type: 'in_channel', text: lead, blocks: [{ type: 'context', elements: [md(esc(lead))] }] })
    : checklist;
  let lead;
  if (verb === 'note') {
    const note = rest.join(' ');
    if (!note) return reply(cmd.response_url, say('Missing note.'));
    d.notes = d.notes.concat([{ by: cmd.user_id, text: note, at: new Date().toISOString() }]).slice(-50);
    lead = `Note added to ${d.id} “${d.name}”: ${note}`;
  } else {
    const item = rest[0];
    if (!ITEM_IDS.has(item)) return reply(cmd.response_url, say(`There is no checklist item "${item}".`));
    const set = new Set(d.checked);
    if (verb === 'check') set.add(item); else set.delete(item);
    d.checked = [...set];
    lead = `${verb === 'check' ? 'Checked' : 'Unchecked'} ${item} on ${d.id}.`;
  }
  const expected = d.version;
  d.version = expected + 1;
  const ok = await redis.casDeal(dealKey(cmd.team_id, d.id), expected, JSON.stringify(d));
  if (ok !== 1) {
    return reply(cmd.response_url, say('This deal is being changed by others right now; nothing was changed. Please try again.'));
  }
  return reply(cmd.response_url, changed(d, lead));
}

// A bounded queue in front of WORKERS concurrent jobs.
let running = 0;
const queue = [];
function run(job) {
  running++;
  work(job)
    .catch((err) => {
      console.error('work:', err.message);
      return reply(job.response_url, say('Something went wrong. Please try again.')).catch(() => {});
    })
    .finally(() => {
      running--;
      const next = queue.shift();
      if (next) run(next);
    });
}

const app = new App({
  signingSecret: process.env.SIGNING_SECRET || 'bench-secret',
  logLevel: LogLevel.ERROR,
  // static authorize: without it Bolt calls auth.test on slack.com
  authorize: async () => ({ botToken: 'x', botId: 'B0', botUserId: 'U0' }),
});
app.command('/coach', async ({ command, ack }) => {
  if (running >= WORKERS && queue.length >= QUEUE) {
    await ack(say(BUSY));
    return;
  }
  await ack();
  if (running < WORKERS) run(command);
  else queue.push(command);
});

(async () => {
  await redis.connect();
  await app.start({ port: PORT, host: '127.0.0.1' });
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
