// "Choose all" in the queue's header ticks every row of the page for a bulk action.
(() => {
  document.addEventListener("change", (event) => {
    const all = event.target.closest("[data-select-all]");
    if (all) {
      all.form.querySelectorAll("input[data-pick]").forEach((box) => {
        box.checked = all.checked;
      });
    } else if (event.target.matches("input[data-pick]")) {
      const header = event.target.form.querySelector("[data-select-all]");
      const boxes = [...event.target.form.querySelectorAll("input[data-pick]")];
      header.checked = boxes.every((box) => box.checked);
      header.indeterminate = !header.checked && boxes.some((box) => box.checked);
    }
  });

  function reveal(root) {
    root.querySelectorAll("[data-select-all][hidden]").forEach((box) => {
      box.hidden = false;
    });
  }
  document.addEventListener("DOMContentLoaded", () => reveal(document));
  document.addEventListener("htmx:load", (event) => reveal(event.detail.elt));
})();
