// The mail viewer: lists /mail/messages.json, shows one email's HTML in a sandboxed frame and
// links its attachments. Text goes in with textContent only: an email's subject is never HTML.
const rows = document.querySelector("#mails tbody");
const problem = document.getElementById("problem");
let shown = null;

function cell(row, text) {
  const td = row.insertCell();
  td.textContent = text;
  return td;
}

function show(mail) {
  shown = mail.id;
  document.getElementById("message").hidden = false;
  document.getElementById("subject").textContent = mail.subject;
  document.getElementById("headers").textContent =
    `From ${mail.from} to ${mail.to.join(", ")}, sent ${mail.sentAt ?? "(unknown)"} · id ${mail.id}`;
  const attachments = document.getElementById("attachments");
  attachments.replaceChildren();
  mail.attachments.forEach((attachment, index) => {
    const link = document.createElement("a");
    link.href = `/mail/messages/${encodeURIComponent(mail.id)}/attachments/${index + 1}`;
    link.download = attachment.filename;
    link.textContent = `${attachment.filename} (${attachment.size.toLocaleString()} bytes)`;
    link.dataset.testid = "attachment";
    attachments.append(link, " ");
  });
  document.getElementById("body").src = `/mail/messages/${encodeURIComponent(mail.id)}/body`;
  for (const row of rows.rows) row.classList.toggle("selected", row.dataset.id === mail.id);
}

async function refresh() {
  try {
    const response = await fetch("/mail/messages.json", { cache: "no-store" });
    if (!response.ok) throw new Error(`${response.status}: ${await response.text()}`);
    const mails = await response.json();
    problem.hidden = true;
    rows.replaceChildren();
    for (const mail of mails) {
      const row = rows.insertRow();
      row.dataset.id = mail.id;
      row.dataset.testid = "mail";
      cell(row, (mail.sentAt ?? "").replace("T", " ").replace("+00:00", ""));
      cell(row, mail.to.join(", "));
      const subject = cell(row, "");
      const open = document.createElement("a");
      open.href = "#";
      open.textContent = mail.subject || "(no subject)";
      open.addEventListener("click", (event) => { event.preventDefault(); show(mail); });
      subject.append(open);
      cell(row, mail.attachments.map((a) => a.filename).join(", "));
      if (mail.id === shown) row.classList.add("selected");
    }
    document.getElementById("count").textContent = `${mails.length} email(s)`;
  } catch (error) {
    problem.textContent = `Could not read the mail: ${error.message} (is the local stack running?)`;
    problem.hidden = false;
  }
}

document.getElementById("refresh").addEventListener("click", refresh);
setInterval(() => { if (document.getElementById("auto").checked) refresh(); }, 5000);
refresh();
