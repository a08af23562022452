/*
 * kbtool's feedback controls on a procedure page: "Did this solve it? Yes / No" and "Report a
 * problem with this procedure", and the page view.
 *
 * The controls are in the page, hidden. They are shown only when kbtool serve's events API
 * answers (GET api/events, relative to the site's root) and says events are on: on a static
 * host the request finds nothing and the page stays as it was. Answers go to POST api/events;
 * what the server says back (an error's message included) is inserted as text, never as HTML.
 * When the page was opened from a search result, the search's id (kept by search.js in
 * session storage) goes with the answer, so that it counts for that search.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var section = document.querySelector(".kbtool-feedback[data-kbtool-procedure]");
  if (!script || !section || typeof fetch !== "function") return;
  /* This file is assets/kbtool/feedback.js under the site's root. */
  var api = new URL("../../api/events", script.src).href;
  var procedure = section.getAttribute("data-kbtool-procedure");
  var status = section.querySelector(".kbtool-feedback__status");

  function say(text) {
    if (status !== null) status.textContent = text;
  }

  function send(event) {
    return fetch(api, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(event)
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(body && body.message ? body.message : response.statusText);
        return body;
      });
    });
  }

  function openedFrom() {
    try {
      var kept = JSON.parse(sessionStorage.getItem("kbtool-opened:" + procedure) || "null");
      return kept && typeof kept.search_id === "string" ? kept.search_id : null;
    } catch (e) {
      return null;
    }
  }

  function answer(solved) {
    var event = { type: "solved", procedure: procedure, solved: solved };
    var search = openedFrom();
    if (search !== null) event.search_id = search;
    send(event).then(function () {
      say(solved ? "Thank you: glad it helped." :
        "Thank you. Tell the owner what was missing with Report a problem, below.");
      section.querySelectorAll("[data-kbtool-solved]").forEach(function (button) {
        button.disabled = true;
      });
      if (!solved) {
        var details = section.querySelector(".kbtool-feedback__report");
        if (details !== null) details.open = true;
      }
    }).catch(function (error) {
      say("Your answer was not recorded: " + (error && error.message || error));
    });
  }

  function report(form) {
    var category = form.elements.namedItem("category");
    var text = form.elements.namedItem("text");
    var event = { type: "problem_report", procedure: procedure, category: category.value };
    if (text.value.trim()) event.text = text.value.trim().slice(0, 1000);
    send(event).then(function () {
      say("Thank you: the report goes to the procedure's owner.");
      text.value = "";
      form.closest("details").open = false;
    }).catch(function (error) {
      say("The report was not sent: " + (error && error.message || error));
    });
  }

  function start() {
    section.hidden = false;
    send({ type: "page_view", procedure: procedure }).catch(function () {});
    section.querySelectorAll("[data-kbtool-solved]").forEach(function (button) {
      button.addEventListener("click", function () {
        answer(button.getAttribute("data-kbtool-solved") === "yes");
      });
    });
    var form = section.querySelector(".kbtool-feedback__form");
    if (form !== null) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        report(form);
      });
    }
  }

  fetch(api, { headers: { Accept: "application/json" } })
    .then(function (response) {
      var type = response.headers.get("content-type") || "";
      return response.ok && type.indexOf("application/json") === 0 ? response.json() : null;
    })
    .then(function (info) {
      if (info && info.enabled === true) start();
    })
    .catch(function () { /* not served by kbtool serve: no controls */ });
})();
