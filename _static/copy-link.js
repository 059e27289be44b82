// Copy-link anchors: using a heading's link puts the address of that section
// on the clipboard (the browser also moves to it, as any link would), and a
// status message says so, for screen readers as well.
(function () {
  "use strict";

  const MESSAGE_TIME = 2500; // ms the "copied" message stays

  const links = document.querySelectorAll("a.headerlink");
  const main = document.querySelector("article[role=main]");
  if (!links.length || !main || !navigator.clipboard) return;

  const status = document.createElement("div");
  status.className = "copy-link-status";
  status.setAttribute("role", "status");
  main.append(status);
  let clearTimer = null;

  for (const link of links) {
    link.addEventListener("click", () => {
      const address = new URL(link.getAttribute("href"), window.location.href).href;
      navigator.clipboard.writeText(address).then(
        () => {
          status.textContent = "Link to this section copied";
          clearTimeout(clearTimer);
          clearTimer = setTimeout(() => (status.textContent = ""), MESSAGE_TIME);
        },
        () => {} // No clipboard access: the address bar still shows the link.
      );
    });
  }
})();
