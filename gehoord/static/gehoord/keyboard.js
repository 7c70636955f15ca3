// Keyboard shortcuts of the desk's queue and complaint page: j/k move through the queue's rows,
// o (or Enter on the focused row's link) opens one, r goes to the reply box, ? lists them.
// Never required: every shortcut has a link or button that does the same. Ignored while typing.
(() => {
  const TYPING = [
    "textarea", "select", "[contenteditable='']", "[contenteditable='true']",
    "input:not([type=checkbox]):not([type=radio]):not([type=button]):not([type=submit]):not([type=reset])",
  ].join(", ");
  const CURRENT = "keyboard-current";

  function announce(text) {
    const region = document.getElementById("keyboard-announcer");
    if (region) {
      region.textContent = text;
    }
  }

  function rows() {
    return [...document.querySelectorAll("tr[data-queue-row]")];
  }

  function currentRow() {
    // The row j/k chose, else the row the focus is in (reached with Tab, say).
    const focused = document.activeElement && document.activeElement.closest("tr[data-queue-row]");
    return document.querySelector(`tr[data-queue-row].${CURRENT}`) || focused;
  }

  function move(step) {
    const all = rows();
    if (!all.length) {
      return false;
    }
    const from = all.indexOf(currentRow());
    const to = from === -1 ? (step > 0 ? 0 : all.length - 1) : Math.min(Math.max(from + step, 0), all.length - 1);
    all.forEach((row) => row.classList.remove(CURRENT));
    const row = all[to];
    row.classList.add(CURRENT);
    row.querySelector("th[scope=row] a").focus();
    announce(`${to + 1} / ${all.length}: ${row.dataset.summary}`);
    return true;
  }

  function openCurrent() {
    const row = currentRow();
    if (!row) {
      return false;
    }
    row.querySelector("th[scope=row] a").click();
    return true;
  }

  function goToReply() {
    const reply = document.getElementById("action-message");
    if (!reply) {
      return false;
    }
    reply.open = true;
    const box = reply.querySelector("textarea");
    box.focus();
    announce(reply.querySelector("summary").textContent.trim());
    return true;
  }

  function showHelp() {
    const dialog = document.getElementById("keyboard-help");
    if (!dialog || dialog.open) {
      return false;
    }
    dialog.showModal();
    return true;
  }

  const SHORTCUTS = { j: () => move(1), k: () => move(-1), o: openCurrent, r: goToReply, "?": showHelp };

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) {
      return;
    }
    if (event.target.closest && event.target.closest(TYPING)) {
      return;
    }
    if (document.querySelector("dialog[open]")) {
      return; // the list of shortcuts is open: Esc closes it, nothing else acts behind it
    }
    const shortcut = SHORTCUTS[event.key];
    if (shortcut && shortcut()) {
      event.preventDefault();
    }
  });

  // A click elsewhere on the page forgets the keyboard's row, so o never opens a forgotten one.
  document.addEventListener("focusin", (event) => {
    const row = currentRow();
    if (row && !row.contains(event.target)) {
      row.classList.remove(CURRENT);
    }
  });

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-keyboard-help]")) {
      showHelp();
    }
  });

  function reveal() {
    document.querySelectorAll("[data-keyboard-help][hidden]").forEach((button) => {
      button.hidden = false;
    });
  }
  document.addEventListener("DOMContentLoaded", reveal);
})();
