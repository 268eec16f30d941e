// The workload of `reverb bench orchestration` in LangGraph.js: a debate of 3 debaters giving 3
// answers each (a first answer and 2 rounds reading the others), a majority vote after every round,
// @langchain/core's fake chat model as the instant model, 64 episodes at once. Prints microseconds
// per agent turn as the slope between a small and a large episode count (start-up excluded), and
// the ratio to Reverb's figure.
//
//   node debate.mjs                       runs ../../reverb bench orchestration for Reverb's figure
//   node debate.mjs --reverb 12.3         uses 12.3 us/turn as Reverb's figure
//   node debate.mjs --small 200 --large 2000 --concurrency 64 --repeats 3
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) =>
  arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs, []));
const SMALL = Number(args.small ?? 200);
const LARGE = Number(args.large ?? 2000);
const CONCURRENCY = Number(args.concurrency ?? 64);
const REPEATS = Number(args.repeats ?? 3);
const DEBATERS = ["alice", "bob", "carol"];
const ROUNDS = 2; // rounds after the first answers: 3 answers per debater
const TURNS = DEBATERS.length * (ROUNDS + 1);

// Instant replies in the shape Reverb's stand-in gives: steps, then "The answer is X."
const model = new FakeListChatModel({
  responses: [
    "Step 1: 65 * 3 = 195.\nStep 2: 195 / 3 = 65.\nStep 3: 65 * 4 = 260.\nThe answer is 260.",
    "Step 1: 65 * 3 = 195.\nStep 2: 195 / 3 = 65.\nStep 3: I think 65 * 4 = 268, roughly.\nThe answer is 268.",
    "Step 1: 65 * 3 = 195.\nStep 2: 195 / 3 = 65.\nStep 3: 65 * 4 = 260.\nThe answer is 260.",
  ],
});
const SYSTEM = "You are one of several agents debating a problem. Reason step by step, one step per line, and "
  + "finish with a line of the form \"The answer is X.\" where X is only the final answer.";

const extract = (text) => /The answer is (.+?)\.?\s*$/m.exec(text)?.[1] ?? "";

function prompt(state, debater) {
  if (state.round === 0) {
    return `Problem: ${state.question}`;
  }
  const others = DEBATERS.filter((d) => d !== debater)
    .map((d) => `Agent ${d}:\n${state.previous[d]}`).join("\n\n");
  return `Problem: ${state.question}\n\nYour previous answer:\n${state.previous[debater]}\n\n`
    + `The other agents answered:\n${others}\n\nExamine their reasoning and yours critically: point out any `
    + "mistaken step, then give your updated solution.";
}

const State = Annotation.Root({
  question: Annotation(),
  round: Annotation({ reducer: (_, next) => next, default: () => 0 }),
  current: Annotation({ reducer: (a, b) => ({ ...a, ...b }), default: () => ({}) }),
  previous: Annotation({ reducer: (_, next) => next, default: () => ({}) }),
  votes: Annotation({ reducer: (a, b) => a.concat(b), default: () => [] }),
});

function debaterNode(debater) {
  return async (state) => {
    const reply = await model.invoke([new SystemMessage(SYSTEM), new HumanMessage(prompt(state, debater))]);
    return { current: { [debater]: reply.content } };
  };
}

function vote(state) {
  const counts = new Map();
  for (const d of DEBATERS) {
    const answer = extract(state.current[d]);
    if (answer) counts.set(answer, (counts.get(answer) ?? 0) + 1);
  }
  let winner = "";
  let best = 0;
  for (const [answer, n] of counts) {
    if (n > best) { winner = answer; best = n; }
  }
  return { votes: [winner], previous: { ...state.current }, round: state.round + 1 };
}

const builder = new StateGraph(State);
for (const d of DEBATERS) builder.addNode(d, debaterNode(d));
builder.addNode("vote", vote);
for (const d of DEBATERS) {
  builder.addEdge(START, d);
  builder.addEdge(d, "vote");
}
builder.addConditionalEdges("vote", (state) => (state.round > ROUNDS ? END : DEBATERS));
const graph = builder.compile();

/** Runs `episodes` debates, at most `concurrency` at once; returns seconds and the episodes that ended with 3 votes. */
async function run(episodes, concurrency) {
  let next = 0;
  let finished = 0;
  const start = process.hrtime.bigint();
  async function worker() {
    while (next < episodes) {
      const id = next++;
      const out = await graph.invoke({ question: `Sara has ${id} coins. How many coins does Sara have now?` },
        { recursionLimit: 50 });
      if (out.votes.length === ROUNDS + 1) finished++;
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, episodes) }, worker));
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, finished };
}

/** The same 9 fake-model calls and votes per episode in a plain async loop, no graph: the floor. */
async function plain(episodes, concurrency) {
  let next = 0;
  const start = process.hrtime.bigint();
  async function worker() {
    while (next < episodes) {
      const id = next++;
      let state = { question: `Sara has ${id} coins.`, round: 0, current: {}, previous: {}, votes: [] };
      for (let r = 0; r <= ROUNDS; r++) {
        const replies = await Promise.all(DEBATERS.map((d) =>
          model.invoke([new SystemMessage(SYSTEM), new HumanMessage(prompt(state, d))])));
        const current = Object.fromEntries(DEBATERS.map((d, i) => [d, replies[i].content]));
        state = { ...state, current, ...vote({ ...state, current }) };
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, episodes) }, worker));
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function reverbFigure() {
  if (args.reverb) return Number(args.reverb);
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
  console.log("running ../../reverb bench orchestration for Reverb's figure ...");
  const out = execFileSync(path.join(root, "reverb"), ["bench", "orchestration"], { encoding: "utf8" });
  process.stdout.write(out);
  const m = /orchestration: ([\d.]+) us\/turn\s*$/.exec(out);
  if (!m) throw new Error("no 'orchestration: X us/turn' line in reverb's output");
  return Number(m[1]);
}

const reverb = reverbFigure();
await run(SMALL, CONCURRENCY); // warm-up
await run(LARGE, CONCURRENCY);
let bestSmall = Infinity;
let bestLarge = Infinity;
let recorded = 0;
for (let r = 0; r < REPEATS; r++) {
  bestSmall = Math.min(bestSmall, (await run(SMALL, CONCURRENCY)).seconds);
  const large = await run(LARGE, CONCURRENCY);
  bestLarge = Math.min(bestLarge, large.seconds);
  recorded = large.finished;
}
const us = (bestLarge - bestSmall) * 1e6 / ((LARGE - SMALL) * TURNS);
await plain(SMALL, CONCURRENCY);
const plainUs = ((await plain(LARGE, CONCURRENCY)) - (await plain(SMALL, CONCURRENCY))) * 1e6 / ((LARGE - SMALL) * TURNS);
console.log(`LangGraph.js ${process.env.npm_package_dependencies__langchain_langgraph ?? "1.7.3"} debate, `
  + `${DEBATERS.length} debaters x ${ROUNDS + 1} answers + majority vote, fake chat model, ${CONCURRENCY} at once, `
  + `slope between ${SMALL} and ${LARGE} episodes (episodes finished: ${recorded} of ${LARGE})`);
console.log(`langgraph.js: ${us.toFixed(1)} us/turn  ${(1e6 / us).toFixed(0)} turns/s`);
console.log(`plain async loop (same calls, no graph): ${plainUs.toFixed(1)} us/turn`);
console.log(`reverb: ${reverb.toFixed(1)} us/turn`);
console.log(`langgraph/reverb: ${(us / reverb).toFixed(1)}x`);
