// The browser's time zone, for a member who has not chosen one (issue 20).
// Loaded as a file (the CSP allows no inline script). It fills every
// <input data-browser-zone> (the registration form's hidden field), and when the page
// carries the #browser-zone form (a logged-in member with no zone), posts it once:
// the server stores the zone if it is valid and never over one the member chose.
// Without JavaScript nothing happens, and times stay in the programme's zone.
(function () {
  "use strict";
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    return;
  }
  if (!zone) {
    return;
  }
  var inputs = document.querySelectorAll("input[data-browser-zone]");
  for (var i = 0; i < inputs.length; i += 1) {
    if (!inputs[i].value) {
      inputs[i].value = zone;
    }
  }
  var form = document.getElementById("browser-zone");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  try {
    if (window.sessionStorage.getItem("nominee-zone-sent")) {
      return; // once a visit, even if the server kept none (a zone it does not know)
    }
    window.sessionStorage.setItem("nominee-zone-sent", "1");
  } catch (error) {
    // Storage refused (private mode): the page still posts, the server still decides.
  }
  window.fetch(form.action, {
    method: "POST",
    body: new FormData(form),
    credentials: "same-origin",
  });
})();
