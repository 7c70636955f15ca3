// Refuse a file that is too large or of a type we do not take before it is sent (a 27 MB video
// would otherwise travel in full to be refused). The limits come from the input's data attributes;
// the server checks every file again.
(() => {
  const problemsOf = (input) => [...input.files].flatMap((file) => {
    if (file.size > Number(input.dataset.maxBytes)) {
      const size = Math.ceil(file.size / 2 ** 20);
      return [input.dataset.tooLarge.replace("{name}", file.name).replace("{size}", size)];
    }
    const types = input.dataset.types.split(" ");
    // Some systems give no type for a file; the server decides on its content then.
    if (file.type && !types.includes(file.type)) {
      return [input.dataset.wrongType.replace("{name}", file.name)];
    }
    return [];
  });

  const show = (input, problems) => {
    const id = `${input.id || input.name}-upload-problems`;
    let list = document.getElementById(id);
    if (!problems.length) {
      list?.remove();
      input.setCustomValidity("");
      input.removeAttribute("aria-invalid");
      return;
    }
    if (!list) {
      list = document.createElement("ul");
      list.id = id;
      list.className = "errorlist";
      list.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", list);
      input.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby") || ""} ${id}`.trim());
    }
    list.replaceChildren(...problems.map((problem) => Object.assign(document.createElement("li"), {textContent: problem})));
    input.setCustomValidity(problems.join(" "));
    input.setAttribute("aria-invalid", "true");
  };

  document.addEventListener("change", (event) => {
    if (event.target.matches("input[type=file][data-max-bytes]")) {
      show(event.target, problemsOf(event.target));
    }
  });

  // A form marked novalidate skips the browser's own check: stop the sending here too.
  document.addEventListener("submit", (event) => {
    const refused = [...event.target.querySelectorAll("input[type=file][data-max-bytes]")].filter(
      (input) => problemsOf(input).length,
    );
    if (refused.length) {
      event.preventDefault();
      event.stopImmediatePropagation();
      refused.forEach((input) => show(input, problemsOf(input)));
      refused[0].focus();
    }
  }, true);
})();
