/*
 * kbtool's page script for the search box; loaded before Material's own script.
 *
 * 1. Points Material at kbtool's search worker (search-worker.js), telling it where Material's
 *    own worker is (for a site on a static host, where that worker takes over) and on which
 *    BroadcastChannel this page listens.
 * 2. Shows what the worker says beside the results: "Showing results for ... (search instead
 *    for ...)" after a typo was corrected, "Did you mean ...?" when nothing matched, or that
 *    search did not answer; and how many procedures matched when more did than are listed.
 *    Every value is inserted as text.
 * 3. Records, through kbtool serve's events API (the worker only talks to the page when the
 *    site is served by kbtool serve), the search the agent settled on (SETTLE_MS without
 *    typing, or at once when they open a result) and which result they opened, at which rank,
 *    tied together by a random search id that is also kept for the opened page (session
 *    storage), so that its "Did this solve it?" answer names the search it came from.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var element = document.getElementById("__config");
  if (!script || !element || typeof BroadcastChannel === "undefined") return;
  var channelName = "kbtool-search-" + Math.random().toString(36).slice(2);
  try {
    var config = JSON.parse(element.textContent);
    if (typeof config.search !== "string") return;
    var worker = new URL("../javascripts/workers/kbtool-search.js", script.src);
    worker.searchParams.set("material", new URL(config.search, location.href).href);
    worker.searchParams.set("channel", channelName);
    config.search = worker.href;
    element.textContent = JSON.stringify(config);
  } catch (error) {
    return; /* leave Material's search as it is */
  }

  var channel = new BroadcastChannel(channelName);

  function input() {
    return document.querySelector("input.md-search__input");
  }

  function box() {
    var result = document.querySelector(".md-search-result");
    if (result === null) return null;
    var existing = result.querySelector(".kbtool-search-note");
    if (existing !== null) return existing;
    var created = document.createElement("div");
    created.className = "kbtool-search-note";
    created.setAttribute("role", "status");
    var meta = result.querySelector(".md-search-result__meta");
    if (meta !== null) meta.insertAdjacentElement("afterend", created);
    else result.insertBefore(created, result.firstChild);
    return created;
  }

  function link(text, onClick) {
    var a = document.createElement("a");
    a.href = "#";
    a.textContent = text;
    a.addEventListener("click", function (event) {
      event.preventDefault();
      event.stopPropagation(); /* Material closes the search on any link click */
      onClick();
    });
    return a;
  }

  function searchFor(text) {
    var field = input();
    if (field === null) return;
    field.value = text;
    field.focus();
    /* Material reads the box on keyup */
    field.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
  }

  /* Material's own count line ("10 matching documents"), hidden while the note says the
     whole count: two counts that disagree are worse than one. */
  function materialCount(hidden) {
    var meta = document.querySelector(".md-search-result__meta");
    if (meta !== null) meta.hidden = hidden;
  }

  function show(message) {
    var target = box();
    if (target === null) return;
    target.textContent = "";
    target.hidden = true;
    materialCount(false);
    var field = input();
    if (field !== null && field.value !== message.query) return; /* typed on since */
    var said = true;
    if (message.problem) {
      target.appendChild(document.createTextNode(message.problem));
    } else if (message.corrected) {
      target.appendChild(document.createTextNode("Showing results for "));
      var strong = document.createElement("strong");
      strong.textContent = message.corrected;
      target.appendChild(strong);
      target.appendChild(document.createTextNode(". "));
      target.appendChild(link("Search instead for " + message.query, function () {
        channel.postMessage({ type: "as-typed", query: message.query });
        target.textContent = "";
        target.hidden = true;
      }));
    } else if (message.didYouMean && message.didYouMean.length) {
      target.appendChild(document.createTextNode("Did you mean "));
      message.didYouMean.forEach(function (suggestion, i) {
        if (i) target.appendChild(document.createTextNode(", "));
        target.appendChild(link(suggestion, function () { searchFor(suggestion); }));
      });
      target.appendChild(document.createTextNode("?"));
    } else {
      said = false;
    }
    /* Material counts the results it was given ("10 matching documents"); the worker asks
       for the best few only, so the whole count is said here, instead of Material's. */
    if (!message.problem && message.count && message.total > message.count) {
      if (said) target.appendChild(document.createElement("br"));
      target.appendChild(document.createTextNode(
        "The best " + message.count + " of " + message.total +
        " matching procedures are shown: add a word to narrow the search."));
      said = true;
      materialCount(true);
    }
    if (!said) return;
    target.hidden = false;
  }

  var SETTLE_MS = 1500;
  var siteRoot = new URL("../../", script.src);
  var eventsApi = new URL("api/events", siteRoot).href;
  var current = null; /* the search on screen: {id, query, note, sent} */
  var settle = 0;

  function searchId() {
    var bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function post(event) {
    /* keepalive: the request outlives the page when a result is being opened. */
    return fetch(eventsApi, {
      method: "POST",
      keepalive: true,
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(event)
    }).catch(function () { /* feedback must never disturb searching */ });
  }

  function sendSearch() {
    clearTimeout(settle);
    if (current === null || current.sent) return;
    current.sent = true;
    var event = {
      type: "search",
      query: current.query.slice(0, 500),
      results: current.note.total || 0,
      search_id: current.id
    };
    if (current.note.corrected) event.corrected = String(current.note.corrected).slice(0, 500);
    post(event);
  }

  function noted(message) {
    if (message.problem || !message.query || !String(message.query).trim()) {
      clearTimeout(settle);
      current = null;
      return;
    }
    if (current === null || current.query !== message.query) {
      if (current !== null && !current.sent) clearTimeout(settle);
      current = { id: searchId(), query: String(message.query), note: message, sent: false };
    } else {
      current.note = message;
    }
    clearTimeout(settle);
    settle = setTimeout(sendSearch, SETTLE_MS);
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("a") : null;
    if (target === null || current === null || !target.closest(".md-search-result")) return;
    var path;
    try { path = new URL(target.href, location.href).pathname; } catch (e) { return; }
    var results = current.note.results || [];
    for (var i = 0; i < results.length; i++) {
      if (results[i].url !== path) continue;
      sendSearch();
      post({
        type: "result_opened",
        procedure: results[i].procedure,
        rank: i + 1,
        search_id: current.id,
        query: current.query.slice(0, 500)
      });
      try {
        sessionStorage.setItem("kbtool-opened:" + results[i].procedure,
          JSON.stringify({ search_id: current.id }));
      } catch (e) { /* storage off: the answer is recorded without its search */ }
      return;
    }
  }, true);

  channel.onmessage = function (event) {
    if (event.data && event.data.type === "note") {
      show(event.data);
      noted(event.data);
    }
  };
})();
