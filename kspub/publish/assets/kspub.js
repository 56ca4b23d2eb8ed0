/* kspub: the theme's search runs on key-up only, so a query pasted with the mouse (or typed by an input
   method that sends no key events) would search nothing; an input event now searches too. */
(function () {
  "use strict";

  var input = document.querySelector("input[data-md-component='search-query']");
  if (!input) {
    return;
  }
  input.addEventListener("input", function () {
    input.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true, key: "Unidentified" }));
  });
})();

/* kspub: a permalink to a clause that is not on this page (retired, replaced, only in the upcoming version)
   must not land at the top of the page without a word: the page lists where each such clause went. */
(function () {
  "use strict";

  var data = document.getElementById("ks_moved");
  var notice = document.getElementById("ks_moved_notice");
  if (!data || !notice) {
    return;
  }
  var moved;
  try {
    moved = JSON.parse(data.textContent);
  } catch (e) {
    return;
  }

  function check() {
    var id;
    try {
      id = decodeURIComponent(location.hash.slice(1));
    } catch (e) {
      id = location.hash.slice(1);
    }
    if (!id || document.getElementById(id)) {
      notice.hidden = true;
      return;
    }
    var entry = Object.prototype.hasOwnProperty.call(moved, id) ? moved[id] : null;
    var text = notice.querySelector(".ks-moved-text");
    var link = notice.querySelector(".ks-moved-link");
    if (entry) {
      text.textContent = "您打开的条款链接不在本页：" + entry.message;
      link.setAttribute("href", entry.href);
      link.parentNode.hidden = false;
    } else {
      text.textContent = "本页没有编号为 “" + id + "” 的条款：链接可能有误。请查看下面的版本历史。";
      link.parentNode.hidden = true;
    }
    notice.hidden = false;
    notice.scrollIntoView({ block: "start" });
  }

  window.addEventListener("hashchange", check);
  check();
})();

/* kspub: a static page is built on one day and read on another. This script tells the reader, on the reader's
   own date in Asia/Shanghai, which version of the agreement is in force, and updates everything the page says
   that the date has overtaken: the status pills, the "upcoming" banners, the home page's list. The timelines
   come from the page itself and, when reachable, from the site's own JSON API (a relative URL: nothing is
   requested from another host). */
(function () {
  "use strict";

  var STATUS_ZH = { "in-force": "现行版本", upcoming: "即将生效", archived: "历史版本" };

  // Asia/Shanghai has kept UTC+8 without daylight saving since 1991.
  function today() {
    return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  }

  function zh(iso) {
    var p = iso.split("-");
    return Number(p[0]) + "年" + Number(p[1]) + "月" + Number(p[2]) + "日";
  }

  function gone(v, day) {
    return Boolean(v && v.withdrawn && v.withdrawn.date <= day);
  }

  // The same rule as the build: nothing after the agreement's withdrawal; otherwise the latest version, not
  // withdrawn by that day, whose effective date is on or before the day; a version without an effective date
  // counts from the start.
  function inForce(versions, day, withdrawn) {
    var current = null;
    if (gone({ withdrawn: withdrawn }, day)) {
      return null;
    }
    versions.forEach(function (v) {
      if (!gone(v, day) && !v.draft && (!v.effective || v.effective <= day)) {
        current = v;
      }
    });
    return current;
  }

  function find(versions, label) {
    for (var i = 0; i < versions.length; i++) {
      if (versions[i].version === label) {
        return versions[i];
      }
    }
    return null;
  }

  // A version's status on a day, as the build computes it.
  function statusOf(versions, label, day, withdrawn) {
    var current = inForce(versions, day, withdrawn);
    if (current && current.version === label) {
      return "in-force";
    }
    var v = find(versions, label);
    if (v && !gone(v, day) && !gone({ withdrawn: withdrawn }, day) && v.effective && v.effective > day) {
      return "upcoming";
    }
    return "archived";
  }

  function setPill(pill, state) {
    if (!pill || !STATUS_ZH[state]) {
      return;
    }
    pill.className = "ks-pill ks-pill--" + state;
    pill.textContent = STATUS_ZH[state];
  }

  function link(text, href) {
    var a = document.createElement("a");
    a.textContent = text;
    a.href = href;
    return a;
  }

  function updateBanners(day) {
    var banners = document.querySelectorAll(".ks-upcoming[data-ks-effective]");
    Array.prototype.forEach.call(banners, function (banner) {
      var effective = banner.getAttribute("data-ks-effective");
      if (effective > day) {
        return;
      }
      var label = banner.getAttribute("data-ks-version");
      banner.classList.add("ks-upcoming--effective");
      banner.querySelector(".ks-upcoming-title").textContent = "已生效：版本 " + label;
      banner.querySelector(".ks-upcoming-when").textContent = "本协议的新版本已于 " + zh(effective) + " 生效。";
    });
  }

  // Every pill that names a version's status: the page's own and each row of the version history.
  function updatePills(versions, day, withdrawn, shown) {
    setPill(document.querySelector(".ks-meta .ks-pill"), statusOf(versions, shown, day, withdrawn));
    var rows = document.querySelectorAll("tr[data-ks-version]");
    Array.prototype.forEach.call(rows, function (row) {
      setPill(row.querySelector(".ks-pill"), statusOf(versions, row.getAttribute("data-ks-version"), day, withdrawn));
    });
  }

  function applyPage(status, versions, withdrawn) {
    var day = today();
    var current = inForce(versions, day, withdrawn);
    var shown = status.getAttribute("data-ks-page-version");
    var base = status.getAttribute("data-ks-base");
    var main = status.getAttribute("data-ks-main") === "true";
    var line = status.querySelector(".ks-status-today");
    var prefix = "按您今天的日期（" + zh(day) + "，北京时间），";
    var stale = false;
    line.textContent = "";
    if (!current) {
      line.textContent = prefix + "本协议尚无生效的版本。";
    } else if (current.version === shown) {
      line.textContent = prefix + (main ? "现行版本仍是本页所示的版本 " + shown + "。" : "本版本是现行版本。");
    } else {
      var page = find(versions, shown);
      stale = main || !page || !page.effective || page.effective <= day;
      if (main) {
        line.textContent = prefix + "现行版本已是版本 " + current.version + "；本页正文是生成时的版本 " + shown + "。";
      } else if (page && page.effective && page.effective > day) {
        line.textContent = prefix + "本版本尚未生效（" + zh(page.effective) + " 生效），现行版本是 " + current.version + "。";
      } else {
        line.textContent = prefix + "本版本已不是现行版本，现行版本是 " + current.version + "。";
      }
      line.appendChild(document.createTextNode(" "));
      line.appendChild(link("阅读版本 " + current.version, base + encodeURIComponent(current.version) + "/"));
    }
    line.hidden = false;
    status.classList.toggle("ks-status--stale", stale);
    updatePills(versions, day, withdrawn, shown);
    updateBanners(day);
  }

  // The home page: each agreement's card names the version in force and the upcoming ones.
  function applyHome(timelines) {
    var day = today();
    var cards = document.querySelectorAll(".ks-card[data-ks-agreement]");
    Array.prototype.forEach.call(cards, function (card) {
      var t = timelines[card.getAttribute("data-ks-agreement")];
      if (!t) {
        return;
      }
      var current = inForce(t.versions, day, t.withdrawn);
      var label = card.querySelector(".ks-card-current");
      if (label && current && label.getAttribute("data-ks-version") !== current.version) {
        label.textContent = "现行版本 " + current.version + "（" + (current.effective ? zh(current.effective) : "") + " 生效）";
        label.setAttribute("data-ks-version", current.version);
        card.classList.add("ks-card--updated");
      }
      var upcoming = card.querySelectorAll(".ks-card-upcoming[data-ks-effective]");
      Array.prototype.forEach.call(upcoming, function (line) {
        var effective = line.getAttribute("data-ks-effective");
        if (effective <= day) {
          line.querySelector("strong").textContent = "已生效：";
          line.querySelector(".ks-card-when").textContent = "版本 " + line.getAttribute("data-ks-version") + " 已于 " + zh(effective) + " 生效。";
        }
      });
    });
  }

  var home = document.getElementById("ks_home");
  if (home) {
    try {
      applyHome(JSON.parse(home.textContent));
    } catch (e) {
      // the list as built stays
    }
  }

  var status = document.getElementById("ks_status");
  var embedded = document.getElementById("ks_timeline");
  if (!status || !embedded) {
    return;
  }
  try {
    var own = JSON.parse(embedded.textContent);
    applyPage(status, own.versions, own.withdrawn);
  } catch (e) {
    return;
  }

  if (window.fetch) {
    window
      .fetch(status.getAttribute("data-ks-api"), { cache: "no-cache" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && Array.isArray(data.versions)) {
          applyPage(status, data.versions, data.withdrawn);
        }
      })
      .catch(function () {
        // The page's own timeline already applied; a missing API file changes nothing for the reader.
      });
  }
})();
