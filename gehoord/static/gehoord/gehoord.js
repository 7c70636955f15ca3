// Small enhancements only: every page works without JavaScript.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target.matches("[data-submit-on-change]")) {
    target.form.requestSubmit();
  }
});

// Upload progress for large evidence files: the form posts as usual, with a progress bar.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const bar = form.querySelector("progress[data-upload-progress]");
  const files = [...form.querySelectorAll("input[type=file]")].flatMap((input) => [...input.files]);
  const total = files.reduce((sum, file) => sum + file.size, 0);
  if (!bar || total < 1024 * 1024 || !window.XMLHttpRequest) {
    return;
  }
  event.preventDefault();
  const request = new XMLHttpRequest();
  request.open(form.method || "POST", form.action || window.location.href);
  bar.hidden = false;
  request.upload.addEventListener("progress", (progress) => {
    if (progress.lengthComputable) {
      bar.max = progress.total;
      bar.value = progress.loaded;
    }
  });
  request.addEventListener("load", () => {
    document.open();
    document.write(request.responseText);
    document.close();
    if (request.responseURL) {
      window.history.replaceState(null, "", request.responseURL);
    }
  });
  request.send(new FormData(form));
});
