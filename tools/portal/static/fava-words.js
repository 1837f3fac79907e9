// Fava's own words that its scripts and templates write in English whatever the language (the
// journal's entry types, the charts' dates, "Last entry"), put into the client's language on a
// client user's page (beanfirm.portal.clientview), which also keeps Fava's form to add an entry
// closed and the journal's `custom` entries hidden until asked for. The words come from the JSON block
// `beanfirm-fava-words` that the portal puts in the page; this file only places them. Only
// Fava's interface is touched, never data: a text changes only where it is the whole text of
// an element Fava writes these words into, and it equals (or, for dates, has the form of)
// one of Fava's own. Fava redraws its pages (charts on every resize), so the words are placed
// again after each change. A static file, as the portal's content security policy allows no
// inline script.
(function () {
  "use strict";
  var block = document.getElementById("beanfirm-fava-words");
  if (!block) {
    return;
  }
  var words = JSON.parse(block.textContent);
  var SHORT = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var LONG = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  var DAYS = "Mon|Tue|Wed|Thu|Fri|Sat|Sun";
  var MONTH_YEAR = new RegExp("^(" + SHORT.join("|") + ") (\\d{4})$");
  var MONTH_DAY = new RegExp("^(" + SHORT.join("|") + ") (\\d{1,2})$");
  var MONTH = new RegExp("^(" + LONG.join("|") + ")$");
  var WEEKDAY = new RegExp("^(?:" + DAYS + ") (\\d{1,2})$");

  function fill(template, fields) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(fields, name) ? fields[name] : whole;
    });
  }

  // A chart's date (d3's English formats), in the words' forms; null: not a date of Fava's.
  function date(text) {
    var found = MONTH_YEAR.exec(text);
    if (found) {
      return fill(words.dates.month_year, { year: found[2], month: SHORT.indexOf(found[1]) + 1 });
    }
    found = MONTH_DAY.exec(text);
    if (found) {
      return fill(words.dates.month_day, { month: SHORT.indexOf(found[1]) + 1, day: +found[2] });
    }
    found = MONTH.exec(text);
    if (found) {
      return fill(words.dates.month, { month: LONG.indexOf(found[1]) + 1 });
    }
    found = WEEKDAY.exec(text);
    if (found) {
      return fill(words.dates.day, { day: +found[1] });
    }
    return null;
  }

  // Set an element's one text to its words, if it has one text and the words know it.
  function place(element, lookup) {
    var node = element.firstChild;
    if (!node || node.nodeType !== Node.TEXT_NODE || node.nextSibling) {
      return;
    }
    var said = lookup(node.nodeValue.trim());
    if (said !== null && said !== undefined && said !== node.nodeValue) {
      node.nodeValue = said; // text, never markup
    }
  }

  function known(table) {
    return function (text) {
      return Object.prototype.hasOwnProperty.call(table, text) ? table[text] : null;
    };
  }

  function translate() {
    var i;
    // A chart's axes, and the date a chart's tooltip gives in emphasis.
    var found = words.dates ? document.querySelectorAll("svg text, .tooltip em") : [];
    for (i = 0; i < found.length; i += 1) {
      place(found[i], date);
    }
    found = document.querySelectorAll("form.flex-row > button");
    for (i = 0; i < found.length; i += 1) {
      place(found[i], known(words.types));
    }
    found = document.querySelectorAll("ol.journal span.flag");
    for (i = 0; i < found.length; i += 1) {
      place(found[i], known(words.flags));
    }
    found = document.querySelectorAll("span.last-activity");
    for (i = 0; i < found.length; i += 1) {
      var node = found[i].firstChild;
      if (node && node.nodeType === Node.TEXT_NODE && node.nodeValue === "(Last entry: ") {
        node.nodeValue = words.last_entry[0];
        var last = found[i].lastChild;
        if (last && last.nodeType === Node.TEXT_NODE && last.nodeValue === ")") {
          last.nodeValue = words.last_entry[1];
        }
      }
    }
  }

  // Fava's form to add an entry (its keyboard shortcut, a typed address) is closed again: a
  // client user writes nothing, and its suggestions, which the gateway refuses, fail in English.
  // This file runs before Fava's own script (a module, run once the page is read), so an
  // address with the form's hash never opens it.
  function no_form() {
    if (window.location.hash === "#add-transaction") {
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
      window.dispatchEvent(new HashChangeEvent("hashchange"));
    }
  }
  // Registered before Fava's own listeners (this file runs first), so they see no hash. Fava
  // follows a link within the page through the Navigation API, where it is stopped.
  window.addEventListener("popstate", no_form);
  window.addEventListener("hashchange", no_form);
  if (window.navigation) {
    window.navigation.addEventListener("navigate", function (event) {
      if (new URL(event.destination.url).hash === "#add-transaction") {
        event.stopImmediatePropagation();
        if (event.cancelable) {
          event.preventDefault();
        }
      }
    });
  }
  no_form();
  // Fava's keyboard shortcut for the form (`n`), outside a field where it is typed.
  window.addEventListener(
    "keydown",
    function (event) {
      var target = event.target;
      var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
      if (event.key === "n" && !event.ctrlKey && !event.metaKey && !event.altKey && !typing) {
        event.stopImmediatePropagation();
      }
    },
    true,
  );

  // The journal shows the firm's settings (`custom` entries: Fava's options, the locks, the
  // reconciliations) only when the client asks: Fava's own choice of entry types, less those,
  // until the client makes one (Fava keeps it in the browser).
  try {
    if (window.localStorage.getItem("fava-journal-show") === null) {
      window.localStorage.setItem("fava-journal-show", JSON.stringify(words.journal_show));
    }
  } catch (error) {
    // no storage (a private window): Fava's defaults
  }

  var pending = false;
  function soon() {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        translate();
      });
    }
  }
  function start() {
    new MutationObserver(soon).observe(document.documentElement, {
      childList: true,
      subtree: true,
      characterData: true,
    });
    translate();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
