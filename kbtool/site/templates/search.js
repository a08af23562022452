/*
 * kbtool's page script for the search box; loaded before Material's own script.
 *
 * 1. Points Material at kbtool's search worker (search-worker.js), telling it where Material's
 *    own worker is (for a site on a static host, where that worker takes over) and on which
 *    BroadcastChannel this page listens.
 * 2. Shows what the worker says beside the results: "Showing results for ... (search instead
 *    for ...)" after a typo was corrected, "Did you mean ...?" when nothing matched, or that
 *    search did not answer. Every value is inserted as text.
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

  function show(message) {
    var target = box();
    if (target === null) return;
    target.textContent = "";
    target.hidden = true;
    var field = input();
    if (field !== null && field.value !== message.query) return; /* typed on since */
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
      return;
    }
    target.hidden = false;
  }

  channel.onmessage = function (event) {
    if (event.data && event.data.type === "note") show(event.data);
  };
})();
