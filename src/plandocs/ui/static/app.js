// The page's behaviour, plain JavaScript: jobs started and followed with a progress bar, returns dropped or
// picked (files or whole folders) and sent in batches, files opened in Excel or Word. Nothing is fetched
// from elsewhere; every request carries the page's CSRF token.
"use strict";

const csrf = document.querySelector('meta[name="csrf-token"]').content;
const BATCH_FILES = 100; // files per upload request, well under the server's limit
const BATCH_BYTES = 100 * 1024 * 1024;

function show(message) {
  const box = document.getElementById("message");
  box.textContent = message;
  box.hidden = !message;
}

async function post(url, body) {
  const response = await fetch(url, {method: "POST", body, headers: {"X-CSRF-Token": csrf}, credentials: "same-origin"});
  const answer = await response.json().catch(() => ({message: "伺服器沒有回應，請確認 plandocs ui 仍在執行。"}));
  return {ok: response.ok, answer};
}

function progress(title, done, total) {
  document.getElementById("progress").hidden = false;
  document.getElementById("progress-title").textContent = `${title}：執行中`;
  const bar = document.getElementById("progress-bar");
  bar.classList.toggle("indeterminate", !total);
  bar.style.width = total ? `${Math.round(100 * done / total)}%` : "";
  document.getElementById("progress-text").textContent = total ? `${done} / ${total}` : "請稍候……";
}

function setBusy(busy) {
  document.querySelectorAll("form[data-job] button, #drop-zone input").forEach((element) => { element.disabled = busy; });
}

async function follow() {
  setBusy(true);
  for (;;) {
    const response = await fetch("/jobs/current", {credentials: "same-origin"});
    const job = await response.json();
    if (!job.number) { setBusy(false); return; }
    if (job.finished) { window.location.href = `/${job.view}`; return; }
    progress(job.title, job.done, job.total);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

document.querySelectorAll("form[data-job]").forEach((form) => {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    show("");
    const {ok, answer} = await post(`/jobs/${form.dataset.job}`, new FormData(form));
    if (!ok) { show(answer.message); return; }
    follow();
  });
});

document.querySelectorAll(".open-file").forEach((link) => {
  link.addEventListener("click", async (event) => {
    event.preventDefault();
    const body = new FormData();
    body.append("path", link.dataset.path);
    const {answer} = await post("/open", body);
    show(answer.message);
  });
});

// --- Returns: files and whole folders -------------------------------------------------------------------

function readEntries(reader) {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

async function filesOfEntry(entry, folder) {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    return [{file, name: folder + file.name}];
  }
  const reader = entry.createReader();
  const found = [];
  for (let entries = await readEntries(reader); entries.length; entries = await readEntries(reader)) {
    for (const child of entries) found.push(...await filesOfEntry(child, `${folder}${entry.name}/`));
  }
  return found;
}

async function droppedFiles(items) {
  // a folder comes as an entry to walk; a browser giving no entries still gives the files themselves
  const found = [];
  for (const item of [...items].filter((each) => each.kind === "file")) {
    const entry = item.webkitGetAsEntry && item.webkitGetAsEntry();
    if (entry) {
      found.push(...await filesOfEntry(entry, ""));
    } else {
      const file = item.getAsFile();
      if (file) found.push({file, name: file.name});
    }
  }
  return found;
}

function batches(files) {
  const all = [];
  let batch = [], bytes = 0;
  for (const item of files) {
    if (batch.length && (batch.length >= BATCH_FILES || bytes + item.file.size > BATCH_BYTES)) {
      all.push(batch); batch = []; bytes = 0;
    }
    batch.push(item); bytes += item.file.size;
  }
  if (batch.length) all.push(batch);
  return all;
}

async function send(files) {
  // A dropped folder with nothing in it (or only subfolders) gives no file: say so rather than do nothing.
  if (!files.length) { show("沒有可加入的檔案：拖放的資料夾是空的。請放入回報檔案，或改用「選擇檔案」。"); return; }
  show("");
  setBusy(true);
  let sent = 0;
  for (const [index, batch] of batches(files).entries()) {
    progress("加入回報", sent, files.length);
    const body = new FormData();
    body.append("first", index === 0 ? "1" : "0");
    for (const item of batch) body.append("files", item.file, item.name);
    const {ok, answer} = await post("/returns/upload", body);
    if (!ok) { setBusy(false); document.getElementById("progress").hidden = true; show(answer.message); return; }
    sent += batch.length;
  }
  window.location.hash = "uploaded"; // the same page again, showing what became of each file
  window.location.reload();
}

const zone = document.getElementById("drop-zone");
if (zone) {
  const picked = (input) => [...input.files].map((file) => ({file, name: file.webkitRelativePath || file.name}));
  document.getElementById("file-input").addEventListener("change", (event) => send(picked(event.target)));
  document.getElementById("folder-input").addEventListener("change", (event) => send(picked(event.target)));
  zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", async (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    send(await droppedFiles(event.dataTransfer.items));
  });
}

if (window.plandocsRunning) follow();
