/*
 * kbtool's search worker for Material's search box.
 *
 * Material's page script talks to a web worker: it sends SETUP (the search index), waits for
 * READY, then sends QUERY (the text, on every key) and shows each RESULT it gets back, with its
 * own result list, highlighting and keyboard handling. This worker answers the same messages.
 *
 * Served by `kbtool serve`, the search index is a stub whose config carries a `kbtool` marker:
 * queries then go to kbtool's search API (typo correction, ids and error codes, synonyms,
 * status badges), debounced, each new query cancelling the one in flight. On any other host the
 * index is Material's own (no marker): this worker hands over to Material's worker (loaded here
 * with importScripts, the SETUP message given to it again), and search works exactly as before.
 *
 * Material inserts a result's title, text and tags as HTML, so every value from the API is
 * escaped here, and the snippet's highlight is built from escaped pieces (the words the API
 * marks with **), never from the snippet's text as HTML.
 *
 * "Showing results for ..." and "did you mean" go to the page's own script (search.js) on a
 * BroadcastChannel whose name the page gave in this worker's URL.
 */
"use strict";

var SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;
var DEBOUNCE_MS = 100;
var LIMIT = 10; /* what Material shows before scrolling; each hit costs its snippet */

var here = new URL(self.location.href);
var materialWorker = here.searchParams.get("material");
var channelName = here.searchParams.get("channel");
/* This file is in assets/javascripts/workers/ under the site's root. */
var siteRoot = new URL("../../../", here);
var channel = channelName && typeof BroadcastChannel !== "undefined"
  ? new BroadcastChannel(channelName) : null;

var api = null;          /* the search endpoint, once SETUP said the server has one */
var latest = "";         /* the last query Material sent */
var timer = 0;
var lastQuery = 0;       /* when the last query came (ms) */
var inFlight = null;     /* AbortController of the request in flight */

function escapeHtml(value) {
  return String(value == null ? "" : value)
    .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/* "a **word** here" -> "a <mark>word</mark> here", every piece escaped first. */
function highlight(snippet) {
  var pieces = String(snippet || "").split("**");
  if (pieces.length % 2 === 0) /* an unpaired marker: show it as text */
    pieces[pieces.length - 2] += "**" + pieces.pop();
  return pieces.map(function (piece, i) {
    return i % 2 ? "<mark>" + escapeHtml(piece) + "</mark>" : escapeHtml(piece);
  }).join("");
}

function badges(hit) {
  var tags = [];
  if (hit.status === "draft") tags.push("draft");
  if (hit.status === "retired") tags.push("retired");
  if (hit.overdue) tags.push("overdue for review");
  if (hit.owner_away) {
    var acting = hit.owner_name || hit.acting_owner;
    tags.push(acting ? "orphaned: ask " + acting : "orphaned: nobody acting");
  }
  return tags.map(escapeHtml);
}

function sameSite(location) {
  try {
    return new URL(location, siteRoot).origin === siteRoot.origin;
  } catch (e) {
    return false;
  }
}

function words(text) {
  var terms = {};
  String(text || "").split(/[\s"'()*+:~^,;!?]+/).forEach(function (word) {
    if (word.length > 1) terms[word.toLowerCase()] = true;
  });
  return terms;
}

function items(answer) {
  var hits = (answer.results || []).filter(function (hit) { return sameSite(hit.url || ""); });
  var terms = words(answer.corrected_query || answer.query);
  return hits.map(function (hit, rank) {
    var title = hit.id
      ? '<span class="kbtool-result-id">' + escapeHtml(hit.id) + "</span> " + escapeHtml(hit.title)
      : escapeHtml(hit.title);
    var text = "";
    if (hit.summary) text += '<p class="kbtool-result-summary">' + escapeHtml(hit.summary) + "</p>";
    if (hit.snippet && hit.snippet !== hit.summary)
      text += '<p class="kbtool-result-snippet">' + highlight(hit.snippet) + "</p>";
    text += '<p class="kbtool-result-owner">Owner: ' +
      (hit.owner ? escapeHtml(hit.owner_name || hit.owner) : "nobody available") +
      (hit.service ? " · " + escapeHtml(hit.service) : "") + "</p>";
    var tags = badges(hit);
    /* Material's Enter opens the best score: the API's order, exact matches first. */
    return [{
      location: hit.url,
      title: title,
      text: text,
      tags: tags.length ? tags : undefined,
      score: hits.length - rank,
      terms: terms
    }];
  });
}

function note(query, answer, problem) {
  if (channel === null) return;
  channel.postMessage({
    type: "note",
    query: query,
    corrected: answer ? answer.corrected_query : null,
    didYouMean: answer ? answer.did_you_mean || [] : [],
    count: answer ? (answer.results || []).length : 0,
    total: answer ? answer.total || 0 : 0,
    /* What was listed, in order, for recording which result is opened (search.js). */
    results: answer ? (answer.results || []).filter(function (hit) {
      return sameSite(hit.url || "");
    }).map(function (hit) {
      return { procedure: hit.id || hit.path, url: new URL(hit.url, siteRoot).pathname };
    }) : [],
    problem: problem || null
  });
}

function search(query, asTyped) {
  if (inFlight !== null) inFlight.abort();
  var controller = new AbortController();
  inFlight = controller;
  var url = new URL(api);
  url.searchParams.set("q", query);
  url.searchParams.set("limit", String(LIMIT));
  /* Not recorded as the agent types: search.js records the search they settled on. */
  url.searchParams.set("record", "false");
  if (asTyped) url.searchParams.set("as_typed", "true");
  fetch(url.href, { signal: controller.signal, headers: { Accept: "application/json" } })
    .then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(body && body.message ? body.message : response.statusText);
        return body;
      });
    })
    .then(function (answer) {
      if (query !== latest) return; /* a newer query is on its way */
      self.postMessage({ type: RESULT, data: { items: items(answer) } });
      note(query, answer, null);
    })
    .catch(function (error) {
      if (controller.signal.aborted || query !== latest) return;
      self.postMessage({ type: RESULT, data: { items: [] } });
      note(query, null, "search did not answer: " + (error && error.message || error));
    })
    .finally(function () {
      if (inFlight === controller) inFlight = null;
    });
}

function onQuery(query) {
  latest = query;
  clearTimeout(timer);
  if (!query.trim()) {
    if (inFlight !== null) inFlight.abort();
    self.postMessage({ type: RESULT, data: { items: [] } });
    note(query, null, null);
    return;
  }
  /* A query after a pause (the first one, a pasted code) goes at once; while keys come
     faster than DEBOUNCE_MS, only the last one is searched. */
  var now = Date.now();
  var typing = now - lastQuery < DEBOUNCE_MS;
  lastQuery = now;
  if (typing)
    timer = setTimeout(function () { search(query, false); }, DEBOUNCE_MS);
  else
    search(query, false);
}

function handOver(message) {
  /* Not served by kbtool serve: Material's own worker answers from here on. */
  self.removeEventListener("message", onMessage);
  var material = new URL(materialWorker || "", here);
  if (material.origin !== here.origin || material.href === here.href)
    throw new Error("kbtool search: no usable Material search worker URL");
  importScripts(material.href);
  self.dispatchEvent(new MessageEvent("message", { data: message }));
}

function onMessage(event) {
  var message = event.data || {};
  if (message.type === SETUP) {
    var config = message.data && message.data.config;
    var marker = config && config.kbtool;
    if (!marker || typeof marker.api !== "string" || !sameSite(marker.api)) {
      handOver(message);
      return;
    }
    api = new URL(marker.api, siteRoot).href;
    self.postMessage({ type: READY });
  } else if (message.type === QUERY && api !== null) {
    onQuery(String(message.data || ""));
  }
}

self.addEventListener("message", onMessage);

if (channel !== null) {
  channel.onmessage = function (event) {
    var message = event.data || {};
    if (message.type === "as-typed" && api !== null && message.query === latest) {
      clearTimeout(timer);
      search(latest, true);
    }
  };
}
