// Citation previews: hovering, focusing or tapping a citation shows its full
// reference without leaving the sentence. The reference is the page's own
// bibliography entry, or the text the citation carries when the entry is on
// another page; a [citation needed] marker shows its reason. Nothing is fetched.
//
// WCAG 1.4.13: the preview stays while the pointer moves onto it, closes with
// Escape, and is tied to its citation by aria-describedby while it is shown.
(function () {
  "use strict";

  const TRIGGERS = ".bibtex-citation a.reference, a.citation-needed-link";
  const GAP = 6; // px between the citation and its preview
  const MARGIN = 8; // px kept free at the viewport's edges
  const HIDE_DELAY = 250; // ms, time to move the pointer onto the preview

  let preview = null;
  let current = null;
  let hideTimer = null;
  let tapOnOpenPreview = false;
  let lastPointer = "mouse";

  function targetEntry(link) {
    const href = link.getAttribute("href") || "";
    if (!href.startsWith("#")) return null;
    const entry = document.getElementById(decodeURIComponent(href.slice(1)));
    return entry && entry.classList.contains("citation") ? entry : null;
  }

  function fill(link) {
    preview.replaceChildren();
    if (link.classList.contains("citation-needed-link")) {
      const heading = document.createElement("strong");
      heading.textContent = "Citation needed: ";
      preview.append(heading, link.dataset.reason || "");
      return;
    }
    const entry = targetEntry(link);
    const body = entry && entry.querySelector("p");
    if (body) {
      for (const child of body.childNodes) preview.append(child.cloneNode(true));
    } else {
      preview.append(link.dataset.reference || link.textContent);
    }
  }

  function place(link) {
    const anchor = link.getBoundingClientRect();
    const viewport = document.documentElement.clientWidth;
    const origin = preview.offsetParent.getBoundingClientRect();
    const width = preview.offsetWidth;
    const left = Math.max(MARGIN, Math.min(anchor.left, viewport - width - MARGIN));
    const below = anchor.bottom + GAP + preview.offsetHeight <= window.innerHeight;
    const top = below ? anchor.bottom + GAP : anchor.top - GAP - preview.offsetHeight;
    preview.style.left = `${left - origin.left}px`;
    preview.style.top = `${Math.max(top, MARGIN) - origin.top}px`;
    preview.dataset.side = below ? "below" : "above";
  }

  function show(link) {
    clearTimeout(hideTimer);
    if (current && current !== link) current.removeAttribute("aria-describedby");
    current = link;
    fill(link);
    preview.hidden = false;
    place(link);
    link.setAttribute("aria-describedby", preview.id);
  }

  function hide() {
    clearTimeout(hideTimer);
    if (current) current.removeAttribute("aria-describedby");
    current = null;
    preview.hidden = true;
  }

  function hideSoon() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, HIDE_DELAY);
  }

  function init() {
    const links = document.querySelectorAll(TRIGGERS);
    const main = document.querySelector("article[role=main]") || document.body;
    if (!links.length) return;

    preview = document.createElement("div");
    preview.id = "citation-preview";
    preview.className = "citation-preview";
    preview.setAttribute("role", "tooltip");
    preview.hidden = true;
    main.append(preview);
    preview.addEventListener("mouseenter", () => clearTimeout(hideTimer));
    preview.addEventListener("mouseleave", hideSoon);

    for (const link of links) {
      // The preview replaces the browser's own tooltip, which would cover it.
      if (link.title) {
        if (!targetEntry(link)) link.dataset.reference = link.title;
        link.removeAttribute("title");
      }
      link.addEventListener("mouseenter", () => show(link));
      link.addEventListener("mouseleave", hideSoon);
      link.addEventListener("focus", () => show(link));
      link.addEventListener("blur", hideSoon);
      // On a touch screen the first tap previews, a second tap follows the link.
      // The tap's own focus event opens the preview before the click, so the
      // choice is made when the finger lands.
      link.addEventListener("pointerdown", (event) => {
        lastPointer = event.pointerType;
        tapOnOpenPreview = current === link && !preview.hidden;
      });
      link.addEventListener("click", (event) => {
        if (lastPointer === "touch" && !tapOnOpenPreview) {
          event.preventDefault();
          show(link);
        }
      });
    }

    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && current) hide();
    });
    document.addEventListener("pointerdown", (event) => {
      if (current && !preview.contains(event.target) && !current.contains(event.target)) {
        hide();
      }
    });
    window.addEventListener("resize", () => current && place(current), { passive: true });
  }

  init();
})();
