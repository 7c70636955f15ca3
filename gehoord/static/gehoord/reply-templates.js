// Reply templates on the complaint page: the chosen template, filled in for this complaint by the
// server, goes into the reply box at the cursor (or after what is written, if the box was not used).
(() => {
  const used = new WeakSet(); // reply boxes the person has been in: their cursor is where to insert

  document.addEventListener("focusin", (event) => {
    if (event.target.matches("textarea")) {
      used.add(event.target);
    }
  });

  function insert(box, text) {
    if (used.has(box)) {
      box.setRangeText(text, box.selectionStart, box.selectionEnd, "end");
    } else {
      const separator = box.value && !box.value.endsWith("\n") ? "\n\n" : "";
      box.value += separator + text;
      box.setSelectionRange(box.value.length, box.value.length);
    }
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.focus();
  }

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-insert-template]");
    if (!button) {
      return;
    }
    const picker = button.closest("[data-reply-templates]");
    const select = picker.querySelector("select");
    const box = document.getElementById(picker.dataset.target);
    const status = picker.querySelector("[data-template-status]");
    if (!select.value || !box) {
      select.focus();
      return;
    }
    status.textContent = "";
    let text;
    try {
      const response = await fetch(select.value, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) {
        throw new Error(`HTTP ${response.status}`);
      }
      text = (await response.json()).text;
    } catch {
      status.textContent = picker.dataset.failed;
      return;
    }
    insert(box, text);
    status.textContent = picker.dataset.inserted;
  });

  // The picker needs this script; it is shown once the script runs, also in forms htmx loads later.
  function reveal(root) {
    root.querySelectorAll("[data-reply-templates][hidden]").forEach((picker) => {
      picker.hidden = false;
    });
  }
  document.addEventListener("DOMContentLoaded", () => reveal(document));
  document.addEventListener("htmx:load", (event) => reveal(event.detail.elt));
})();
