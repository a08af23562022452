// lunr.js as a search benchmark peer (Material for MkDocs' search engine), run by node.
//
//   node benchmarks/lunr_peer.js DOCS.json TITLE_BOOST
//
// DOCS.json is a list of {"path", "title", "body"}. The index is built the way lunr builds
// one by default (trimmer, English stop words, Porter stemmer), with the title field boosted
// by TITLE_BOOST. Then one query per line on stdin, one JSON list of the ten best paths per
// line on stdout. The first line written is {"ready": true, "build_ms": N}.
"use strict";

const fs = require("fs");
const path = require("path");
const readline = require("readline");
const lunr = require(path.join(__dirname, "node_modules", "lunr"));

const [docsFile, boostText] = process.argv.slice(2);
const titleBoost = Number(boostText || "1");
const started = Date.now();
const docs = JSON.parse(fs.readFileSync(docsFile, "utf8"));
const index = lunr(function () {
  this.ref("path");
  this.field("title", { boost: titleBoost });
  this.field("body");
  for (const doc of docs) {
    this.add(doc);
  }
});
process.stdout.write(JSON.stringify({ ready: true, build_ms: Date.now() - started }) + "\n");

const lines = readline.createInterface({ input: process.stdin, terminal: false });
lines.on("line", (line) => {
  let paths = [];
  const query = line.trim();
  if (query) {
    try {
      // The query is plain words (search_peers.plain_query): no lunr syntax reaches here.
      paths = index.search(query).slice(0, 10).map((hit) => hit.ref);
    } catch (error) {
      paths = [];
    }
  }
  process.stdout.write(JSON.stringify(paths) + "\n");
});
