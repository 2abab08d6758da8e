// The site's search (the search page, /tim-kiem/ and /en/search/), over Pagefind's index
// of the published site (minhbach/site/search.py). Pagefind matches words without regard
// to case or diacritics (either tone placement: "hoà" and "hòa"), exact ones ranked
// higher. On top of it, the way people type a place: "tp", "thành phố", "tỉnh" before a
// name are left out, and a query that names a unit lists that unit's own pages first
// (its history, then its periods, the latest first): the matches sorted by the pages'
// `end` (the history's is 9999-12-31), those whose `unit` is the name, not by score. Results are built as DOM nodes: nothing of the index is
// inserted as HTML but Pagefind's <mark> around matched words.

const PREFIXES = [["thanh", "pho"], ["thi", "xa"], ["tp"], ["tp."], ["tinh"], ["city"], ["province"]];
const SHOWN = 20;
const OWN = 60; // at most this many of the sorted matches are read for the unit's pages

/** Lower case, without diacritics (đ as d), spaces collapsed: how people type. */
export function fold(text) {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/đ/g, "d")
    .replace(/Đ/g, "D")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
}

/** The query without a leading "tp", "thành phố", "tỉnh"... (as typed, and folded). */
export function withoutPrefix(query) {
  const words = query.trim().split(/\s+/).filter(Boolean);
  const folded = words.map(fold);
  for (const prefix of PREFIXES) {
    if (words.length > prefix.length && prefix.every((word, i) => folded[i] === word)) {
      return words.slice(prefix.length).join(" ");
    }
  }
  return words.join(" ");
}

/** The unit whose name the query is (folded, prefixes left out on both sides), if any. */
export function namedUnit(query, names) {
  const wanted = fold(withoutPrefix(query));
  return names.find((name) => fold(withoutPrefix(name)) === wanted);
}

function excerptNodes(excerpt) {
  // Pagefind's excerpt is HTML: text and <mark>. Parsed inert, only those are kept.
  const parsed = new DOMParser().parseFromString(`<p>${excerpt}</p>`, "text/html");
  const nodes = [];
  for (const node of parsed.body.firstChild.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      nodes.push(document.createTextNode(node.textContent));
    } else if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      nodes.push(mark);
    } else {
      nodes.push(document.createTextNode(node.textContent));
    }
  }
  return nodes;
}

function item(data) {
  const li = document.createElement("li");
  li.className = "mb-search__result";
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = (data.meta && data.meta.title) || data.url;
  const heading = document.createElement("p");
  heading.className = "mb-search__title";
  heading.append(link);
  const excerpt = document.createElement("p");
  excerpt.className = "mb-search__excerpt";
  excerpt.append(...excerptNodes(data.excerpt || ""));
  li.append(heading, excerpt);
  return li;
}

async function run(form) {
  const input = form.querySelector("input[name=q]");
  const status = document.querySelector(".mb-search__status");
  const list = document.querySelector(".mb-search__results");
  const query = new URLSearchParams(location.search).get("q") || "";
  input.value = query;
  if (!query.trim()) {
    input.focus();
    return;
  }
  const lang = document.documentElement.lang === "en" ? "en" : "vi";
  const words = {
    vi: { none: "Không tìm thấy trang nào cho", found: "trang cho", failed: "Không tải được chỉ mục tìm kiếm." },
    en: { none: "No page found for", found: "pages for", failed: "The search index could not be loaded." },
  }[lang];
  let pagefind;
  try {
    pagefind = await import(new URL(form.dataset.mbPagefind, location.href).href);
    await pagefind.options({ baseUrl: new URL(form.dataset.mbRoot, location.href).pathname });
  } catch (error) {
    status.textContent = words.failed;
    return;
  }
  const asked = withoutPrefix(query);
  const found = await pagefind.search(asked);
  // The unit's pages among the matches, by `end`: only unit pages and histories have one.
  const sorted = await pagefind.search(asked, { sort: { end: "desc" } });
  const dated = await Promise.all(sorted.results.slice(0, OWN).map((result) => result.data()));
  const unit = namedUnit(query, dated.map((data) => (data.meta && data.meta.unit) || ""));
  const own = unit ? dated.filter((data) => data.meta.unit === unit) : [];
  const shown = new Set(own.map((data) => data.url));
  const rest = await Promise.all(
    found.results.slice(0, SHOWN + own.length).map((result) => result.data()),
  );
  const data = [...own, ...rest.filter((data) => !shown.has(data.url))].slice(0, SHOWN);
  const results = found.results.length; // the unit's own pages are among these matches
  list.replaceChildren(...data.map(item));
  status.textContent = results
    ? `${results} ${words.found} “${query}”`
    : `${words.none} “${query}”`;
}

const form = document.querySelector("form[data-mb-pagefind]");
if (form) {
  run(form);
}
