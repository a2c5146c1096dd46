// The reference portal page: how a browser client uses the Order service (../shared/API.md).
//
// Sign in with Cognito (InitiateAuth), price a cart with the Cart service, POST the order (202),
// poll it with backoff until the record and its invoice exist, download the document, list the
// tenant's orders page by page, cancel one. Every API error is RFC 9457 problem+json: the page
// shows its `title` and `detail`. Plain ES modules, no build step, no dependencies.

const config = await (await fetch("/config.json")).json();
// The statuses an order can have, from the contract itself (models/orders.py via the OpenAPI
// document): a new status appears here with no edit to the page.
const openapi = await (await fetch("/openapi.json")).json();
const ORDER_STATUSES = openapi.components.schemas.OrderStatus.enum;
const $ = (selector) => document.querySelector(selector);
let session = null; // {idToken, email, tenantId, groups, expiresAt}: in memory only

// ---------------------------------------------------------------- errors and HTTP

class Problem extends Error {
  constructor(body, status = body.status) {
    super(body.detail || body.title);
    this.body = body;
    this.status = status;
  }
}

function showProblem(error) {
  const box = $("#problem");
  const body = error instanceof Problem
    ? error.body
    : { title: "Something went wrong in this page", detail: String(error) };
  box.replaceChildren();
  const title = document.createElement("h2");
  title.textContent = body.status ? `${body.title} (${body.status})` : body.title;
  box.append(title);
  if (body.detail) box.append(paragraph(body.detail));
  for (const item of body.errors || []) box.append(paragraph(`${item.field}: ${item.message}`));
  if (body.requestId) box.append(paragraph(`Request id: ${body.requestId}`, "hint"));
  box.hidden = false;
}

function clearProblem() {
  $("#problem").hidden = true;
  $("#problem").replaceChildren();
}

function paragraph(text, className) {
  const p = document.createElement("p");
  p.textContent = text;
  if (className) p.className = className;
  return p;
}

// One fetch with the caller's ID token; JSON in and out; a Problem for anything but 2xx.
async function call(url, { method = "GET", body, headers = {}, token = true } = {}) {
  const sent = { ...headers };
  if (token) sent.Authorization = `Bearer ${session.idToken}`;
  if (body !== undefined) sent["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method, headers: sent, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new Problem({
      title: "The service could not be reached",
      detail: `${method} ${url}: ${error.message}. Either the network failed or the browser ` +
        `refused the answer (CORS: is ${location.origin} on the stage's list of origins?).`,
    });
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const problem = data && data.title
      ? data
      : { title: `HTTP ${response.status}`, status: response.status, detail: text.slice(0, 300) };
    const error = new Problem(problem, response.status);
    error.retryAfter = Number(response.headers.get("Retry-After")) || 0;
    throw error;
  }
  return { status: response.status, data, headers: response.headers };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- money and time

// en_ZA, the documents' style (API.md): R1 234,56. From the API's decimal string: no floats.
function money(amount, currency = "ZAR") {
  const [whole, cents = "00"] = String(amount).split(".");
  const negative = whole.startsWith("-");
  const digits = negative ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
  const symbol = currency === "ZAR" ? "R" : `${currency}\u00a0`;
  return `${negative ? "-" : ""}${symbol}${grouped},${cents.padEnd(2, "0")}`;
}

const utc = (iso) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : "");

// ---------------------------------------------------------------- 1. sign in

function claimsOf(token) {
  const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

async function signIn(username, password) {
  let response;
  try {
    response = await fetch(config.cognito.endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
      },
      body: JSON.stringify({
        AuthFlow: "USER_PASSWORD_AUTH",
        ClientId: config.cognito.clientId,
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    });
  } catch (error) {
    throw new Problem({ title: "Cognito could not be reached", detail: error.message });
  }
  const body = await response.json();
  if (!response.ok || !body.AuthenticationResult) {
    throw new Problem({
      title: "Sign-in failed", status: response.status,
      detail: body.message || body.__type || "Cognito asked for a challenge this page does not answer",
    });
  }
  const idToken = body.AuthenticationResult.IdToken;
  const claims = claimsOf(idToken);
  session = {
    idToken,
    email: claims.email,
    tenantId: claims["custom:tenantId"],
    groups: claims["cognito:groups"] || [],
    expiresAt: claims.exp * 1000,
  };
}

function showSession() {
  const signedIn = session !== null;
  $("#who").textContent = signedIn
    ? `Signed in as ${session.email}, tenant ${session.tenantId}` +
      (session.groups.length ? ` (${session.groups.join(", ")})` : "") +
      `; the token expires at ${new Date(session.expiresAt).toISOString().slice(11, 16)} UTC.`
    : "Not signed in.";
  $("#sign-out").hidden = !signedIn;
  for (const id of ["#shop", "#orders"]) $(id).hidden = !signedIn;
  if (!signedIn) $("#checkout").hidden = true;
}

// ---------------------------------------------------------------- 2. products and cart

let cart = null;

async function loadCatalog() {
  const { data } = await call(`${config.cartApiUrl}/v1.0/products`);
  const rows = data.items.map((product, index) => {
    const row = document.createElement("tr");
    const quantity = document.createElement("input");
    Object.assign(quantity, { type: "number", min: 0, max: 1000, value: 0 });
    quantity.dataset.productId = product.productId;
    quantity.dataset.testid = `quantity-${product.productId}`;
    quantity.setAttribute("aria-label", `Quantity of ${product.productName}`);
    row.append(cell(product.productName), cell(money(product.unitPrice, product.currency), "money"));
    const holder = document.createElement("td");
    holder.append(quantity);
    row.append(holder);
    if (index === 0) quantity.value = 1;
    return row;
  });
  $("#catalog tbody").replaceChildren(...rows);
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

async function createCart() {
  const items = [...document.querySelectorAll("#catalog input[type=number]")]
    .map((input) => ({ productId: input.dataset.productId, quantity: Number(input.value) }))
    .filter((item) => item.quantity > 0);
  if (items.length === 0) {
    throw new Problem({ title: "The cart is empty", detail: "Pick a quantity of at least one product." });
  }
  const code = $("#campaign").value.trim();
  const { data } = await call(`${config.cartApiUrl}/v1.0/carts`, {
    method: "POST", body: code ? { items, campaignCode: code } : { items },
  });
  cart = { ...data, idempotencyKey: crypto.randomUUID() }; // one key per cart: retries are safe
  const lines = data.items.map(
    (line) => `${line.quantity} × ${line.productName} at ${money(line.unitPrice, data.currency)}`,
  );
  const campaign = data.campaign ? ` Campaign: ${data.campaign.name} (−${data.campaign.discountPercent} %).` : "";
  $("#cart").replaceChildren(
    paragraph(`Cart ${data.cartId}: ${lines.join("; ")}.${campaign}`),
    paragraph("The Order service reads the prices from the Cart service; this page never sends one.", "hint"),
  );
  $("#checkout").hidden = false;
  $("#progress").replaceChildren();
  $("#download").replaceChildren();
  $("#order-form [name=customerEmail]").value ||= session.email;
}

// ---------------------------------------------------------------- 3. order, progress, document

function step(text, state = "waiting") {
  const item = document.createElement("li");
  item.textContent = text;
  item.className = state;
  item.dataset.state = state;
  $("#progress").append(item);
  return {
    done(doneText = text) {
      item.textContent = doneText;
      item.className = item.dataset.state = "done";
    },
    failed(failedText) {
      item.textContent = failedText;
      item.className = item.dataset.state = "failed";
    },
  };
}

async function placeOrder(form) {
  const field = (name) => form.elements[name].value.trim() || null;
  const body = {
    cartId: cart.cartId,
    customerEmail: field("customerEmail"),
    billingAddress: {
      fullName: field("fullName"), companyName: field("companyName"), vatNumber: field("vatNumber"),
      line1: field("line1"), line2: null, city: field("city"), province: field("province"),
      postalCode: field("postalCode"), country: field("country"),
    },
  };
  $("#progress").replaceChildren();
  $("#download").replaceChildren();
  const { data: accepted } = await call(`${config.apiUrl}/v1.0/orders`, {
    method: "POST", body, headers: { "Idempotency-Key": cart.idempotencyKey },
  });
  step(`Accepted: order ${accepted.orderId} is ${accepted.status} (202)`, "done");
  const order = await waitForInvoice(accepted.orderId);
  await showDownload(order);
  await loadOrders(0);
}

// Poll with exponential backoff (0.5 s, ×1.6, at most 5 s); honour Retry-After; give up after 2 min.
async function waitForInvoice(orderId) {
  const record = step("Writing the order record…");
  let invoice = null;
  let delay = 500;
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const { data: order } = await call(`${config.apiUrl}/v1.0/orders/${encodeURIComponent(orderId)}`);
      if (!invoice) {
        record.done(`Order record written: ${order.orderNumber}, ${order.status}, total ${money(order.total, order.currency)}`);
        invoice = step("Rendering the invoice…");
      }
      if (order.invoice && order.invoice.available) {
        invoice.done("Invoice ready");
        return order;
      }
    } catch (error) {
      if (!(error instanceof Problem) || ![404, 429, 503].includes(error.status)) throw error;
      if (error.retryAfter) delay = Math.max(delay, error.retryAfter * 1000);
    }
    if (Date.now() > deadline) {
      (invoice || record).failed("Still not ready after 2 minutes");
      throw new Problem({
        title: "The order is taking longer than it should",
        detail: `Order ${orderId} was accepted; look for it in the list later.`,
      });
    }
    await sleep(delay);
    delay = Math.min(delay * 1.6, 5000);
  }
}

const KIND_NAMES = {
  proforma: "pro forma invoice", "tax-invoice": "tax invoice", "credit-note": "credit note",
};

async function showDownload(order) {
  const { data } = await call(`${config.apiUrl}/v1.0/orders/${encodeURIComponent(order.id)}/invoice`);
  const link = document.createElement("a");
  link.href = data.url; // a short-lived presigned S3 URL: the browser fetches the PDF itself
  link.target = "_blank";
  link.rel = "noopener";
  link.dataset.testid = "download-link";
  link.textContent = `Download the ${KIND_NAMES[data.kind] || data.kind} of ${order.orderNumber} (PDF)`;
  $("#download").replaceChildren(
    link, document.createTextNode(` — the link works for ${Math.round(data.expiresIn / 60)} minutes.`),
  );
  $("#checkout").hidden = false;
}

// ---------------------------------------------------------------- 4. the list, paging, cancel

const list = { cursors: [null], index: 0, hasMore: false };

async function loadOrders(index) {
  const form = $("#list-form");
  const query = new URLSearchParams({ pageSize: form.elements.pageSize.value || "5" });
  if (form.elements.status.value) query.set("status", form.elements.status.value);
  if (list.cursors[index]) query.set("startAt", list.cursors[index]);
  const url = `${config.apiUrl}/v1.0/tenants/${encodeURIComponent(session.tenantId)}/orders?${query}`;
  const { data } = await call(url);
  list.index = index;
  list.hasMore = data.pagination.hasMore;
  list.cursors = list.cursors.slice(0, index + 1);
  if (data.pagination.nextStartAt) list.cursors.push(data.pagination.nextStartAt);
  $("#order-list tbody").replaceChildren(...data.items.map(orderRow));
  $("#page").textContent = `Page ${index + 1}` + (data.items.length ? "" : " (no orders)");
  syncPager();
}

function syncPager() {
  $("#previous").disabled = list.index === 0;
  $("#next").disabled = !list.hasMore;
}

function orderRow(order) {
  const row = document.createElement("tr");
  row.dataset.orderId = order.id;
  row.dataset.status = order.status;
  row.append(
    cell(order.orderNumber), cell(utc(order.dateCreated)), cell(order.status),
    cell(money(order.total, order.currency), "money"),
  );
  const actions = document.createElement("td");
  if (order.invoice && order.invoice.available) {
    actions.append(button("Document", "document", () => showDownload(order)));
  }
  if (["PENDING", "PAYMENT_FAILED"].includes(order.status)) {
    actions.append(button("Cancel", "cancel", () => cancel(order)));
  }
  row.append(actions);
  return row;
}

function button(text, testid, action) {
  const element = document.createElement("button");
  element.type = "button";
  element.textContent = text;
  element.dataset.testid = testid;
  element.addEventListener("click", () => run(element, action));
  return element;
}

async function cancel(order) {
  if (!confirm(`Cancel order ${order.orderNumber}?`)) return;
  // If-Match: the version we showed. Someone else's change in between answers 412, not a lost write.
  await call(`${config.apiUrl}/v1.0/orders/${encodeURIComponent(order.id)}`, {
    method: "PUT", body: { status: "CANCELLED" }, headers: { "If-Match": `"${order.version}"` },
  });
  await loadOrders(list.index);
}

async function lookUp(orderId) {
  $("#lookup").textContent = "";
  const { data, headers } = await call(`${config.apiUrl}/v1.0/orders/${encodeURIComponent(orderId)}`);
  $("#lookup").textContent =
    `${data.orderNumber} ${data.status} ${money(data.total, data.currency)} (ETag ${headers.get("ETag")})`;
}

// ---------------------------------------------------------------- wiring

// Run one user action: the button is busy meanwhile, and any problem is shown.
async function run(control, action) {
  clearProblem();
  control.disabled = true;
  document.body.dataset.busy = "true";
  try {
    await action();
  } catch (error) {
    showProblem(error);
    if (!(error instanceof Problem)) console.error(error);
  } finally {
    control.disabled = false;
    syncPager(); // the pager's buttons say where the list is, whichever button was busy
    delete document.body.dataset.busy;
  }
}

function onSubmit(selector, action) {
  $(selector).addEventListener("submit", (event) => {
    event.preventDefault();
    run(event.submitter || event.target, () => action(event.target));
  });
}

for (const status of ORDER_STATUSES) {
  const option = document.createElement("option");
  option.textContent = status;
  $("[data-testid=status-filter]").append(option);
}

for (const user of config.demoUsers) {
  const option = document.createElement("option");
  option.value = user.username;
  option.textContent = `${user.username} (${user.tenantId})`;
  $("#username").append(option);
}
const fillPassword = () => {
  const user = config.demoUsers.find((u) => u.username === $("#username").value);
  $("#password").value = user ? user.password : "";
};
$("#username").addEventListener("change", fillPassword);
fillPassword();

// An email's link, /orders/{orderId}: that order is looked up once the customer is signed in.
const linked = location.pathname.match(/^\/orders\/([A-Za-z0-9-]{1,64})$/);
if (linked) $("#lookup-form").elements.orderId.value = linked[1];

onSubmit("#sign-in-form", async (form) => {
  await signIn(form.elements.username.value, form.elements.password.value);
  showSession();
  await loadCatalog();
  await loadOrders(0);
  if (linked) await lookUp(linked[1]);
});
$("#sign-out").addEventListener("click", () => {
  session = null;
  cart = null;
  clearProblem();
  showSession();
});
onSubmit("#cart-form", createCart);
onSubmit("#order-form", placeOrder);
onSubmit("#list-form", () => loadOrders(0));
onSubmit("#lookup-form", (form) => lookUp(form.elements.orderId.value.trim()));
$("#next").addEventListener("click", (event) => run(event.target, () => loadOrders(list.index + 1)));
$("#previous").addEventListener("click", (event) => run(event.target, () => loadOrders(list.index - 1)));
document.body.dataset.ready = "true";
