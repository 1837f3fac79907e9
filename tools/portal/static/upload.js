// The upload page's drop zone: files dragged onto it become the form's files (no upload by
// script; the form posts them as it would without this file). A static file, as the portal's
// content security policy allows no inline script.
(function () {
  "use strict";
  var zone = document.getElementById("dropzone");
  var input = document.getElementById("files");
  var chosen = document.getElementById("chosen");
  if (!zone || !input || !chosen) {
    return;
  }
  function show() {
    while (chosen.firstChild) {
      chosen.removeChild(chosen.firstChild);
    }
    for (var i = 0; i < input.files.length; i += 1) {
      var item = document.createElement("li");
      item.textContent = input.files[i].name; // a name is text, never markup
      chosen.appendChild(item);
    }
  }
  zone.addEventListener("dragover", function (event) {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", function () {
    zone.classList.remove("over");
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    zone.classList.remove("over");
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      show();
    }
  });
  input.addEventListener("change", show);
})();
